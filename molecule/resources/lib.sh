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
