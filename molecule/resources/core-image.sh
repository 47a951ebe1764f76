#!/usr/bin/env bash
# core-image.sh CORE BASE: the image nodeops-crio/core:CORE, in which
# tests/cores.sh runs the unit tests and ansible-test sanity on an
# ansible-core whose controller Python the host lacks.
#
# It is BASE (the bed's Debian node image, for its python3) with Debian's
# python3-venv, git and shellcheck, /opt/core a venv of the pins of
# tests/cores/CORE.txt, and /wheels: those pins and what the core's
# ansible-test installs for its sanity tests (its requirements files and the
# pip it pins). A container reaches no package index, so the wheels are
# downloaded here on the host, for the pins file's "# python:" version on
# x86_64, and /etc/pip.conf points every pip in the image at them, ansible-test's
# own pip calls too (ansible-test hands pip no environment variable of ours).
# The image is tagged CORE-KEY too, KEY hashing its inputs, so an unchanged
# image is not rebuilt; the wheels are cached under $NODEOPS_CACHE/wheels.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
say_as=core
# shellcheck source=molecule/resources/lib.sh
. "$here/lib.sh"

core=$1
base=$2
pins=$root/tests/cores/$core.txt
[ -f "$pins" ] || { say "no pins for ansible-core $core: $pins"; exit 2; }
python=$(sed -n 's/^# python: *//p' "$pins")
packages="python3-venv git shellcheck"

# The host's pip downloads; the pinned venv's when there is one.
pip=(python3 -m pip)
if [ -x "$root/.venv/bin/python" ]; then pip=("$root/.venv/bin/python" -m pip); fi

pip_download() {
  "${pip[@]}" download -q --disable-pip-version-check --only-binary=:all: --implementation cp \
    --python-version "$python" --platform manylinux_2_28_x86_64 --platform manylinux2014_x86_64 \
    --platform manylinux_2_17_x86_64 "$@"
}

# wheels DIR: the pins, then what the core's ansible-test asks of pip: the
# requirements of each sanity test, ansible-core's own (held to the pins)
# and its virtual environments' pip (and setuptools and wheel, where it pins them).
wheels() {
  local dir=$1 work file
  work=$(mktemp -d "$cache/wheels.XXXXXX")
  pip_download -d "$work" -r "$pins"
  python3 -m zipfile -e "$(echo "$work"/ansible_core-*.whl)" "$work/core"
  for file in "$work"/core/ansible_test/_data/requirements/sanity.*.txt; do
    pip_download -d "$work" -r "$file"
  done
  pip_download -d "$work" -r "$work/core/ansible_test/_data/requirements/ansible.txt" -c "$pins"
  # shellcheck disable=SC2046 # one word a package
  pip_download -d "$work" $(sed -n "/default_packages = dict(/,/)/s/^ *\([a-z]*\)='\([0-9.]*\)',\$/\1==\2/p" \
    "$work/core/ansible_test/_internal/python_requirements.py")
  rm -rf "$work/core"
  cp "$pins" "$work/pins.txt"
  rm -rf "$dir"
  mkdir -p "$(dirname "$dir")"
  mv "$work" "$dir"
}

core_image() {
  local tag=nodeops-crio/core:$core wheel_dir stamp cid
  wheel_dir=$cache/wheels/core-$core-$(key "$here/core-image.sh" "$pins")
  [ -f "$wheel_dir/pins.txt" ] || { say "downloading the wheels of ansible-core $core for Python $python"; wheels "$wheel_dir"; }
  stamp=$(key "$here/core-image.sh" "$pins" "$packages" "$(docker image inspect -f '{{.Id}}' "$base")")
  if image_exists "$tag-$stamp"; then
    docker tag "$tag-$stamp" "$tag"
    say "image $tag: cached"
    return 0
  fi
  say "image $tag from $base"
  # apt reaches Debian's mirror; pip reaches only /wheels.
  cid=$(docker create -v "$wheel_dir:/mnt/wheels:ro" "$base" bash -euc "
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $packages >/dev/null
    rm -rf /var/lib/apt/lists/*
    cp -r /mnt/wheels /wheels
    printf '[global]\nno-index = true\nfind-links = /wheels\ndisable-pip-version-check = true\n' >/etc/pip.conf
    python3 -m venv /opt/core
    /opt/core/bin/pip install -q -r /wheels/pins.txt
    /opt/core/bin/python -c 'from ansible.release import __version__; print(\"ansible-core\", __version__)'")
  docker start -a "$cid" >&2 || { docker rm "$cid" >/dev/null; return 1; }
  docker commit -c 'CMD ["bash"]' "$cid" "$tag-$stamp" >/dev/null
  docker rm "$cid" >/dev/null
  docker tag "$tag-$stamp" "$tag"
}

core_image
