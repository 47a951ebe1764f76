#!/usr/bin/env bash
# The test bed: everything the Molecule scenarios and `make demo` need, built
# here from Debian's packages and Go modules and cached outside the checkout.
# Each step is content-addressed: it is skipped when its inputs are unchanged.
#
#   bed.sh [all|docker|images|bundle [VERSION]|mirror]
#
# Environment: NODEOPS_CACHE (default ~/.cache/nodeops-crio),
# NODEOPS_CRIO_VERSIONS (bundles to build, default "1.36.3").
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${NODEOPS_CACHE:-$HOME/.cache/nodeops-crio}
debian_mirror=${NODEOPS_DEBIAN_MIRROR:-http://deb.debian.org/debian}
crio_versions=${NODEOPS_CRIO_VERSIONS:-1.36.3}
mkdir -p "$cache"

say() { printf 'bed: %s\n' "$*" >&2; }

# timed NAME CMD...: runs CMD and reports how long it took.
timed() {
  local name=$1 start=$SECONDS
  shift
  "$@"
  say "$name done in $((SECONDS - start)) s"
}

# key WORDS...: a short content hash of files and words, for cache stamps.
key() {
  local item
  for item in "$@"; do
    if [ -f "$item" ]; then sha256sum "$item"; else printf '%s\n' "$item"; fi
  done | sha256sum | cut -c1-12
}

apt_ready=
apt_install() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ -z "$apt_ready" ]; then apt-get update -qq; apt_ready=1; fi
  say "installing Debian packages: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

host_packages() {
  apt_install docker.io debootstrap skopeo docker-registry busybox-static \
    gcc libc6-dev make pkg-config libseccomp-dev libsqlite3-dev ca-certificates
}

docker_engine() {
  if docker info >/dev/null 2>&1; then return 0; fi
  say "starting dockerd (log: $cache/dockerd.log)"
  nohup dockerd >"$cache/dockerd.log" 2>&1 &
  local i
  for i in $(seq 60); do
    docker info >/dev/null 2>&1 && return 0
    sleep 1
  done
  say "dockerd did not answer within 60 s; see $cache/dockerd.log"
  return 1
}

image_exists() { docker image inspect "$1" >/dev/null 2>&1; }

# Libraries the bundle's binaries link (crio, conmon, crun), sudo for plays
# with become, iptables for the CNI bridge plugin's masquerading.
node_packages() {
  local glib=libglib2.0-0
  [ "$1" = trixie ] && glib=libglib2.0-0t64
  echo "systemd,systemd-sysv,dbus,python3,iproute2,iptables,ca-certificates,sudo,procps,libseccomp2,libsqlite3-0,$glib,libyajl2,libcap2,libsystemd0"
}

# node_image SUITE TAG: a Debian root file system that boots systemd.
node_image() {
  local suite=$1 tag=$2 pkgs stamp root
  pkgs=$(node_packages "$suite")
  stamp=$(key "$suite" "$pkgs" "$here/bed.sh")
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

images() {
  node_image bookworm nodeops-crio/node:debian12
  node_image trixie nodeops-crio/node:debian13
}

bundles() {
  local v
  for v in ${1:-$crio_versions}; do
    NODEOPS_CACHE=$cache "$here/bundle.sh" "$v" >/dev/null
  done
}

# oci_image NAME:TAG ROOTFS ENTRYPOINT_JSON: a docker-archive of a tiny image.
oci_image() {
  local ref=$1 root=$2 entry=$3 out=$4
  tar -C "$root" -c . | docker import -c "ENTRYPOINT $entry" - "nodeops-crio/$ref" >/dev/null
  docker save -o "$out" "nodeops-crio/$ref"
}

# The mirror: the node image plus an OCI registry and an HTTP server for the
# bundles; its registry holds a pause image and a busybox image.
mirror() {
  local stamp work cid ip tries
  stamp=$(key "$here/bed.sh" "$here/mirror/serve" "$here/mirror/registry.yml" "$here/mirror/pause.c" \
    "$(docker image inspect -f '{{.Id}}' nodeops-crio/node:debian12)" "$(dpkg-query -W busybox-static docker-registry)")
  if image_exists "nodeops-crio/mirror:$stamp"; then
    docker tag "nodeops-crio/mirror:$stamp" nodeops-crio/mirror:latest
    say "image nodeops-crio/mirror: cached"
    return 0
  fi
  work=$(mktemp -d "$cache/mirror.XXXXXX")
  mkdir -p "$work/pause" "$work/busybox/bin"
  gcc -static -Os -o "$work/pause/pause" "$here/mirror/pause.c"
  cp /bin/busybox "$work/busybox/bin/busybox"
  for applet in $(/bin/busybox --list); do
    [ "$applet" = busybox ] || ln -s busybox "$work/busybox/bin/$applet"
  done
  oci_image pause:3.10.1 "$work/pause" '["/pause"]' "$work/pause.tar"
  oci_image busybox:1.35 "$work/busybox" '["/bin/sh"]' "$work/busybox.tar"

  cid=$(docker create nodeops-crio/node:debian12 /usr/local/bin/mirror-serve)
  docker cp /usr/bin/docker-registry "$cid:/usr/local/bin/docker-registry"
  docker cp "$here/mirror/serve" "$cid:/usr/local/bin/mirror-serve"
  docker cp "$here/mirror/registry.yml" "$cid:/etc/mirror-registry.yml"
  docker start "$cid" >/dev/null
  ip=$(docker inspect -f '{{.NetworkSettings.IPAddress}}' "$cid")
  for tries in $(seq 30); do
    python3 - "$ip" <<'PY' && break
import sys, urllib.request
urllib.request.urlopen(f"http://{sys.argv[1]}:5000/v2/", timeout=2)
PY
    sleep 1
  done
  skopeo copy -q --dest-tls-verify=false "docker-archive:$work/pause.tar" "docker://$ip:5000/pause:3.10.1"
  skopeo copy -q --dest-tls-verify=false "docker-archive:$work/busybox.tar" "docker://$ip:5000/busybox:1.35"
  docker stop "$cid" >/dev/null
  docker commit -c 'CMD ["/usr/local/bin/mirror-serve"]' "$cid" "nodeops-crio/mirror:$stamp" >/dev/null
  docker rm "$cid" >/dev/null
  docker tag "nodeops-crio/mirror:$stamp" nodeops-crio/mirror:latest
  rm -rf "$work"
}

main() {
  local what=${1:-all}
  case $what in
    all)
      timed "host packages" host_packages
      timed "docker engine" docker_engine
      timed "node images" images
      timed "bundles" bundles
      timed "mirror" mirror
      ;;
    docker) host_packages; docker_engine ;;
    images) images ;;
    bundle) bundles "${2:-}" ;;
    mirror) mirror ;;
    *) say "unknown step: $what (all|docker|images|bundle [VERSION]|mirror)"; return 2 ;;
  esac
}

main "$@"
