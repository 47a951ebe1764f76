#!/usr/bin/env bash
# The unit tests and ansible-test sanity on another ansible-core than the
# pinned one (requirements.txt), for the oldest and newest cores the
# collection supports.
#
#   tests/cores.sh CORE [unit|sanity|all]      (default all)
#
# tests/cores/CORE.txt pins that core's test venv and says, in its header,
# the Python it runs on and where:
#   "# where: host": a venv in build/cores/CORE made with the host's
#     python3 from PyPI, rebuilt when the pins change;
#   "# where: debian13": the image nodeops-crio/core:CORE (bed.sh core CORE:
#     Debian 13's Python with the venv in /opt/core, installed from wheels the
#     host downloaded), run with no network on a copy of the collection's
#     files; ansible-test's sanity venvs are kept between runs in
#     $NODEOPS_CACHE/core-CORE.
# Either way the tests are `pytest -q tests/unit` and tests/run-sanity.sh
# with that venv and Python.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${NODEOPS_CACHE:-$HOME/.cache/nodeops-crio}

say() { printf 'cores: %s\n' "$*" >&2; }

# run VENV PYTHON WHAT: the tests, from this checkout, on the venv's core.
run() {
  local venv=$1 python=$2 what=$3
  say "ansible-core $("$venv/bin/python" -c 'from ansible.release import __version__; print(__version__)')" \
    "on $("$venv/bin/python" -V)"
  if [ "$what" != sanity ]; then
    (cd "$root" && "$venv/bin/python" -m pytest -q -p no:cacheprovider tests/unit)
  fi
  if [ "$what" != unit ]; then
    SANITY_VENV=$venv SANITY_PYTHON=$python bash "$root/tests/run-sanity.sh"
  fi
}

host_venv() {
  local venv=$1 pins=$2 python=$3 stamp
  stamp=$(sha256sum <"$pins" | cut -c1-12)
  if [ "$(cat "$venv/.pins" 2>/dev/null)" != "$stamp" ]; then
    say "venv $venv from $pins"
    rm -rf "$venv"
    "python$python" -m venv "$venv"
    "$venv/bin/pip" install -q --disable-pip-version-check -r "$pins"
    echo "$stamp" >"$venv/.pins"
  fi
}

main() {
  local core=${1:?usage: tests/cores.sh CORE [unit|sanity|all]} what=${2:-all} pins python where state
  if [ "$core" = --inside ]; then
    # In the core's container: $2 is the core's venv, $3 its Python, $4 what to run.
    run "$2" "$3" "$4"
    return
  fi
  case $what in unit | sanity | all) ;; *) say "unknown tests: $what (unit|sanity|all)"; return 2 ;; esac
  pins=$root/tests/cores/$core.txt
  [ -f "$pins" ] || { say "no pins for ansible-core $core: $pins"; return 2; }
  python=$(sed -n 's/^# python: *//p' "$pins")
  where=$(sed -n 's/^# where: *//p' "$pins")
  case $where in
    host)
      host_venv "$root/build/cores/$core" "$pins" "$python"
      run "$root/build/cores/$core" "$python" "$what"
      ;;
    debian13)
      bash "$root/molecule/resources/bed.sh" core "$core"
      state=$cache/core-$core
      mkdir -p "$state"
      # The files go in on stdin; git init makes the copy a checkout for
      # run-sanity.sh, which lists the files git does not ignore.
      bash "$root/tests/run-sanity.sh" --tar |
        docker run --rm -i --network none -v "$state:/root/.ansible" "nodeops-crio/core:$core" bash -euc '
          mkdir -p /work/crio && tar -C /work/crio -xf - && git -C /work/crio init -q
          exec bash /work/crio/tests/cores.sh --inside /opt/core "$@"' core "$python" "$what"
      ;;
    *) say "$pins: unknown '# where: $where' (host|debian13)"; return 2 ;;
  esac
}

main "$@"
