# Shared helpers of the test bed's scripts; sourced, not run.
# shellcheck shell=bash

cache=${NODEOPS_CACHE:-$HOME/.cache/nodeops-crio}
mkdir -p "$cache"

# say_as names the script in its messages (bed, bundle, kubelet).
say() { printf '%s: %s\n' "${say_as:-bed}" "$*" >&2; }

# timed NAME CMD...: runs CMD and reports how long it took.
timed() {
  local timed_label=$1 timed_start=$SECONDS
  shift
  "$@"
  say "$timed_label ($((SECONDS - timed_start)) s)"
}

# key ITEMS...: a short content hash of files (by content) and words, for
# the cache stamps that let a step skip work whose inputs did not change.
key() {
  local item
  for item in "$@"; do
    # A file counts by its content alone, wherever the checkout is.
    if [ -f "$item" ]; then sha256sum <"$item"; else printf '%s\n' "$item"; fi
  done | sha256sum | cut -c1-12
}

image_exists() { docker image inspect "$1" >/dev/null 2>&1; }

# oci_image NAME:TAG ROOTFS ENTRYPOINT_JSON OUT [CHANGE...]: a docker-archive
# of a one-layer image made from ROOTFS, tagged nodeops-crio/NAME:TAG; each
# CHANGE is a Dockerfile instruction such as 'ENV PATH=/usr/local/bin'.
oci_image() {
  local ref=$1 root=$2 entry=$3 out=$4 change changes=()
  shift 4
  for change in "$@"; do changes+=(-c "$change"); done
  tar -C "$root" --owner=0 --group=0 -c . |
    docker import "${changes[@]}" -c "ENTRYPOINT $entry" - "nodeops-crio/$ref" >/dev/null
  docker save -o "$out" "nodeops-crio/$ref"
}
