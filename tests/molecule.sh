#!/usr/bin/env bash
# make molecule: `molecule test -s SCENARIO` for each scenario named, LANES
# at a time. Every scenario has its own network, mirror and node names, so
# lanes share only the machine. A scenario's output goes to
# build/molecule/SCENARIO.log and is printed whole when it ends, so logs of
# lanes never interleave. All scenarios run even when one fails; the exit
# status is 1 when any failed, and the last lines say which, with times.
#
#   tests/molecule.sh LANES SCENARIO...
#
# A free lane takes the next scenario in the order given: name the longest
# first so that the lanes end together.
set -euo pipefail

lanes=$1
shift
[[ $lanes =~ ^[1-9][0-9]*$ ]] || { echo "molecule: LANES must be a positive number, not '$lanes'" >&2; exit 2; }
[ $# -gt 0 ] || { echo "molecule: name at least one scenario" >&2; exit 2; }
for scenario in "$@"; do
  [ -f "molecule/$scenario/molecule.yml" ] || { echo "molecule: no scenario molecule/$scenario" >&2; exit 2; }
done

logs=build/molecule
mkdir -p "$logs"
rm -f "$logs"/*.log "$logs"/*.result

# run SCENARIO: one scenario, its output to its log, its result to SCENARIO.result.
run() {
  local scenario=$1 start=$SECONDS rc=0 secs
  molecule test -s "$scenario" >"$logs/$scenario.log" 2>&1 || rc=$?
  secs=$((SECONDS - start))
  printf '%s %s %s\n' "$scenario" "$rc" "$secs" >"$logs/$scenario.result"
  # One printer at a time: a lane that ends while another prints waits.
  {
    flock 9
    printf '===== molecule test -s %s (rc %s, %s s)\n' "$scenario" "$rc" "$secs"
    cat "$logs/$scenario.log"
  } 9>"$logs/.print.lock"
}

start=$SECONDS
running=0
for scenario in "$@"; do
  if [ "$running" -ge "$lanes" ]; then
    wait -n || true
    running=$((running - 1))
  fi
  run "$scenario" &
  running=$((running + 1))
done
wait || true

failed=0
echo "===== molecule: $# scenarios, $lanes at a time, in $((SECONDS - start)) s"
for scenario in "$@"; do
  read -r _ rc secs <"$logs/$scenario.result" || { rc=unknown secs='?'; }
  printf '%-12s rc %-3s %5s s\n' "$scenario" "$rc" "$secs"
  [ "$rc" = 0 ] || failed=1
done
exit "$failed"
