#!/bin/sh
# Lays files out in one call, as the copy and file modules would one by one:
#   install-files.sh check|write [KIND MODE SRC DEST]...
# KIND is dir (DEST is a folder; SRC is unused), replace (DEST gets SRC's
# content and MODE) or keep (DEST is written only when missing, so an
# operator's copy stays). Prints every DEST it changes, or with check would.
# A file is written beside DEST and renamed over it: a running binary cannot
# be written in place, and a half-written file is never left at DEST.
set -eu

action=$1
shift
while [ "$#" -ge 4 ]; do
  kind=$1 mode=$2 src=$3 dest=$4
  shift 4
  case $kind in
    dir)
      if [ -d "$dest" ] && [ "$(stat -c %a -- "$dest")" = "${mode#0}" ]; then continue; fi
      [ "$action" = check ] || install -d -m "$mode" -- "$dest"
      ;;
    keep | replace)
      if [ -e "$dest" ]; then
        [ "$kind" = keep ] && continue
        if cmp -s -- "$src" "$dest" && [ "$(stat -c %a -- "$dest")" = "${mode#0}" ]; then continue; fi
      fi
      if [ "$action" != check ]; then
        install -m "$mode" -- "$src" "$dest.nodeops-new"
        mv -f -- "$dest.nodeops-new" "$dest"
      fi
      ;;
    *)
      echo "install-files.sh: unknown kind '$kind' for $dest" >&2
      exit 2
      ;;
  esac
  echo "$dest"
done
if [ "$#" -ne 0 ]; then
  echo "install-files.sh: arguments come in fours (KIND MODE SRC DEST); $# left over" >&2
  exit 2
fi
