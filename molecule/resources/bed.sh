#!/usr/bin/env bash
# The test bed: everything the Molecule scenarios and `make demo` need, built
# here from Debian's packages and Go modules and cached outside the checkout.
# Each step is content-addressed: it is skipped when its inputs are unchanged.
#
#   bed.sh [all|demo|docker|images [SUITE:NAME...]|bundle [VERSION]|repo|kubernetes|control-plane|containerd|critest|mirror|core CORE...]
#
# `all` is what `make test` needs, `demo` only what `make demo` needs, `core`
# the images of `make cores` (tests/cores.sh) for the cores tested in a container.
# Environment: NODEOPS_CACHE (default ~/.cache/nodeops-crio),
# NODEOPS_CRIO_VERSIONS (bundles to build: the older one is what upgrades
# start from, default "1.36.2 1.36.3"), NODEOPS_KUBELET_VERSION (default
# v1.36.3, the Kubernetes of the kubelet and cluster scenarios).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
crio_versions=${NODEOPS_CRIO_VERSIONS:-1.36.2 1.36.3}
k8s_version=${NODEOPS_KUBELET_VERSION:-v1.36.3}
# shellcheck source=molecule/resources/lib.sh
. "$here/lib.sh"

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
    gcc libc6-dev make pkg-config libseccomp-dev libsqlite3-dev ca-certificates \
    apt-utils gpg gpgv openssl
}

docker_engine() {
  if docker info >/dev/null 2>&1; then return 0; fi
  say "starting dockerd (log: $cache/dockerd.log)"
  nohup dockerd >"$cache/dockerd.log" 2>&1 &

  for _ in $(seq 60); do
    docker info >/dev/null 2>&1 && return 0
    sleep 1
  done
  say "dockerd did not answer within 60 s; see $cache/dockerd.log"
  return 1
}

# images SUITE:NAME...: node images nodeops-crio/node:NAME.
images() {
  local suite tag
  for suite in "$@"; do
    tag=nodeops-crio/node:${suite#*:}
    NODEOPS_CACHE=$cache bash "$here/node-image.sh" "${suite%%:*}" "$tag"
  done
}

bundles() {
  local v
  for v in ${1:-$crio_versions}; do
    NODEOPS_CACHE=$cache bash "$here/bundle.sh" "$v" >/dev/null
  done
}

# Every Kubernetes binary a scenario or the demo uses, in one go build.
kubernetes() {
  NODEOPS_CACHE=$cache bash "$here/kubernetes.sh" "$k8s_version" kubelet kubeadm kubectl \
    kube-apiserver kube-controller-manager kube-scheduler >/dev/null
}

# The images kubeadm runs the control plane from, for the cluster scenario.
control_plane() {
  NODEOPS_CACHE=$cache bash "$here/control-plane.sh" "$k8s_version" >/dev/null
}

# Signed apt repositories of the bundles, for the package scenario.
apt_repos() {
  NODEOPS_CACHE=$cache NODEOPS_CRIO_VERSIONS=$crio_versions bash "$here/apt-repo.sh" >/dev/null
}

# cri-tools' critest and the test images it pulls, for the conformance scenario.
critest() {
  NODEOPS_CACHE=$cache bash "$here/critest.sh" >/dev/null
}

# Debian's containerd and runc packages, for the migrate scenario's nodes.
containerd_debs() {
  NODEOPS_CACHE=$cache bash "$here/containerd-debs.sh" >/dev/null
}

# The mirror: the node image plus an OCI registry and an HTTP server for the
# bundles; its registry holds a busybox image and the pause image under the
# tag of each Kubernetes minor the crio role knows (3.10.1 for 1.34 and 1.35,
# 3.10.2 for 1.36), so a derived crio_pause_image resolves.
pause_tags=(3.10.1 3.10.2)
mirror() {
  local stamp work cid ip tag
  stamp=$(key "$here/lib.sh" "$here/mirror/serve" "$here/mirror/registry.yml" "$here/mirror/pause.c" "${pause_tags[*]}" \
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
  for _ in $(seq 30); do
    python3 - "$ip" <<'PY' && break
import sys, urllib.request
urllib.request.urlopen(f"http://{sys.argv[1]}:5000/v2/", timeout=2)
PY
    sleep 1
  done
  for tag in "${pause_tags[@]}"; do
    skopeo copy -q --dest-tls-verify=false "docker-archive:$work/pause.tar" "docker://$ip:5000/pause:$tag"
  done
  skopeo copy -q --dest-tls-verify=false "docker-archive:$work/busybox.tar" "docker://$ip:5000/busybox:1.35"
  docker stop "$cid" >/dev/null
  docker commit -c 'CMD ["/usr/local/bin/mirror-serve"]' "$cid" "nodeops-crio/mirror:$stamp" >/dev/null
  docker rm "$cid" >/dev/null
  docker tag "nodeops-crio/mirror:$stamp" nodeops-crio/mirror:latest
  rm -rf "$work"
}

# core CORE...: images nodeops-crio/core:CORE, a Debian 13 node image with
# ansible-core CORE's test venv and wheels (tests/cores/CORE.txt).
core_images() {
  local core
  for core in "$@"; do
    NODEOPS_CACHE=$cache bash "$here/core-image.sh" "$core" nodeops-crio/node:debian13
  done
}

main() {
  local what=${1:-all}
  case $what in
    all)
      timed "host packages" host_packages
      timed "docker engine" docker_engine
      timed "node images" images bookworm:debian12 trixie:debian13
      timed "bundles" bundles
      timed "apt repositories" apt_repos
      timed "kubernetes" kubernetes
      timed "control plane images" control_plane
      timed "containerd packages" containerd_debs
      timed "critest" critest
      timed "mirror" mirror
      ;;
    # A cluster of Debian 12 nodes at the bed's newer CRI-O.
    demo)
      timed "host packages" host_packages
      timed "docker engine" docker_engine
      timed "node image" images bookworm:debian12
      timed "bundle" bundles "${crio_versions##* }"
      timed "kubernetes" kubernetes
      timed "control plane images" control_plane
      timed "mirror" mirror
      ;;
    docker) host_packages; docker_engine ;;
    images) shift; images "${@:-bookworm:debian12}" ;;
    bundle) bundles "${2:-}" ;;
    repo) apt_repos ;;
    kubernetes) kubernetes ;;
    control-plane) control_plane ;;
    containerd) containerd_debs ;;
    critest) critest ;;
    mirror) mirror ;;
    core)
      shift
      timed "host packages" host_packages
      timed "docker engine" docker_engine
      timed "node image" images trixie:debian13
      timed "core images" core_images "$@"
      ;;
    *) say "unknown step: $what (all|demo|docker|images [SUITE:NAME...]|bundle [VERSION]|repo|kubernetes|control-plane|containerd|critest|mirror|core CORE...)"; return 2 ;;
  esac
}

main "$@"
