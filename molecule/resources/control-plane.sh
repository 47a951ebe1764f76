#!/usr/bin/env bash
# The images kubeadm runs a control plane from, for the test bed, built from
# the Go module proxy and cached outside the checkout:
#   - kube-apiserver, kube-controller-manager and kube-scheduler from
#     k8s.io/kubernetes (kubernetes.sh, one go build with kubeadm and kubectl);
#   - etcd from go.etcd.io/etcd/server/v3 (a small main over its etcdmain), at
#     the version kubeadm asks for;
#   - the pause image of kubeadm's minor, from the bed's pause program.
#
#   control-plane.sh [K8S_VERSION]   default v1.36.3, the bed's kubelet
#
# Names and tags are the ones `kubeadm config images list` gives. Writes one
# docker-archive per image to $NODEOPS_CACHE/images/control-plane-KEY/ and
# prints that folder on stdout; an unchanged KEY skips the work.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
say_as=control-plane
# shellcheck source=molecule/resources/lib.sh
. "$here/lib.sh"
export GOTOOLCHAIN=local PATH=/usr/local/go/bin:$PATH
export CGO_ENABLED=0 GOOS=linux GOARCH=amd64 GOFLAGS=-mod=mod

# The images this bed builds; kubeadm's list also names CoreDNS and kube-proxy,
# whose add-ons the bed's clusters leave out (see the cluster scenario).
built_images='^(kube-apiserver|kube-controller-manager|kube-scheduler|etcd|pause)$'

# etcd_binary VERSION OUT: etcd's server as its own release runs it.
etcd_binary() {
  local version=$1 out=$2 dir=$cache/control-plane/etcd-build
  rm -rf "$dir" && mkdir -p "$dir"
  cat >"$dir/main.go" <<'GO'
// etcd's own command line, as the etcd release binary has it.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
GO
  printf 'module nodeops.invalid/etcd-build\n\ngo 1.24\n\nrequire go.etcd.io/etcd/server/v3 %s\n' "$version" >"$dir/go.mod"
  (cd "$dir" && go mod tidy >"$dir/tidy.log" 2>&1) || { cat "$dir/tidy.log" >&2; return 1; }
  (cd "$dir" && timed "go build etcd $version" nice go build -trimpath -ldflags "-s -w" -o "$out" .)
  local said
  said=$("$out" --version | sed -n 's/^etcd Version: //p')
  [ "v$said" = "$version" ] || { say "built etcd says '$said', expected '$version'"; return 1; }
}

# image NAME:TAG ROOT OUT ENTRYPOINT: the image's docker-archive, whose
# commands are found on PATH, as kubeadm's manifests call them; the archive
# is what the mirror gets, so the local image is not kept.
image() {
  local ref=$1 root=$2 out=$3 entry=$4
  mkdir -p "$root/tmp" && chmod 1777 "$root/tmp"
  oci_image "$ref" "$root" "$entry" "$out" 'ENV PATH=/usr/local/bin:/usr/bin:/bin'
  docker rmi "nodeops-crio/$ref" >/dev/null
}

main() {
  local version=${1:-v1.36.3} bins kubeadm list key out work ref name tag
  version=v${version#v}
  bins=$(bash "$here/kubernetes.sh" "$version" kubeadm kube-apiserver kube-controller-manager kube-scheduler)
  kubeadm=$(grep '/kubeadm-' <<<"$bins")
  list=$("$kubeadm" config images list --kubernetes-version "$version" --image-repository mirror:5000 |
    sed 's|^mirror:5000/||' | awk -F: -v want="$built_images" '$1 ~ want')
  local sums=()
  mapfile -t sums <<<"$bins"
  key=$(key "$here/control-plane.sh" "$here/lib.sh" "$here/mirror/pause.c" "$(go version)" "$list" "${sums[@]/%/.sha256sum}")
  out=$cache/images/control-plane-$key
  if [ -f "$out/done" ]; then
    say "images for $version: cached ($out)"
    echo "$out"
    return 0
  fi
  work=$(mktemp -d "$cache/control-plane.XXXXXX")
  rm -rf "$out" && mkdir -p "$out"
  while IFS=: read -r name tag; do
    ref=$name:$tag
    mkdir -p "$work/$name/usr/local/bin"
    case $name in
      etcd)
        etcd_binary "v${tag%-*}" "$work/$name/usr/local/bin/etcd"
        image "$ref" "$work/$name" "$out/$name.tar" '["/usr/local/bin/etcd"]' ;;
      pause)
        gcc -static -Os -o "$work/$name/pause" "$here/mirror/pause.c"
        image "$ref" "$work/$name" "$out/$name.tar" '["/pause"]' ;;
      *)
        cp "$(grep "/$name-" <<<"$bins")" "$work/$name/usr/local/bin/$name"
        image "$ref" "$work/$name" "$out/$name.tar" "[\"/usr/local/bin/$name\"]" ;;
    esac
    echo "$ref" >>"$out/images"
  done <<<"$list"
  rm -rf "$work"
  touch "$out/done"
  say "images for $version: $(tr '\n' ' ' <"$out/images")"
  echo "$out"
}

main "$@"
