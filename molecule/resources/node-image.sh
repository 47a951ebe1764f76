#!/usr/bin/env bash
# node-image.sh SUITE TAG: a Debian root file system that boots systemd,
# imported as the Docker image TAG. The image is tagged TAG-KEY too, KEY
# hashing this script and its inputs, so an unchanged image is not rebuilt.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
debian_mirror=${NODEOPS_DEBIAN_MIRROR:-http://deb.debian.org/debian}
# shellcheck source=molecule/resources/lib.sh
. "$here/lib.sh"

# Libraries the bundle's binaries link (crio, conmon, crun), sudo for plays
# with become, iptables for the CNI bridge plugin's masquerading.
node_packages() {
  local glib=libglib2.0-0
  [ "$1" = trixie ] && glib=libglib2.0-0t64
  echo "systemd,systemd-sysv,dbus,python3,iproute2,iptables,ca-certificates,sudo,procps,libseccomp2,libsqlite3-0,$glib,libyajl2,libcap2,libsystemd0"
}

node_image() {
  local suite=$1 tag=$2 pkgs stamp root
  pkgs=$(node_packages "$suite")
  stamp=$(key "$suite" "$pkgs" "$debian_mirror" "$here/node-image.sh")
  if image_exists "$tag-$stamp"; then
    docker tag "$tag-$stamp" "$tag"
    say "image $tag: cached"
    return 0
  fi
  root=$(mktemp -d "$cache/rootfs.XXXXXX")
  say "debootstrap $suite into $root"
  debootstrap --variant=minbase --include="$pkgs" "$suite" "$root" "$debian_mirror" >"$cache/debootstrap-$suite.log" 2>&1 ||
    { say "debootstrap failed, see $cache/debootstrap-$suite.log"; rm -rf "$root"; return 1; }
  # A container has no consoles to serve and no hardware to wait for.
  chroot "$root" systemctl mask getty@tty1.service console-getty.service \
    systemd-udevd.service systemd-modules-load.service >/dev/null 2>&1 || true
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  tar -C "$root" -c . | docker import -c 'CMD ["/lib/systemd/systemd"]' - "$tag-$stamp" >/dev/null
  rm -rf "$root"
  docker tag "$tag-$stamp" "$tag"
}

node_image "$@"
