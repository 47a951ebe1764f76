#!/usr/bin/env bash
# Kubernetes binaries for the test bed, built from the Go module
# k8s.io/kubernetes and cached outside the checkout.
#
#   kubernetes.sh [K8S_VERSION [COMPONENT...]]
#
# K8S_VERSION defaults to the newest v1.36.x patch (the minor of the bed's
# CRI-O; NODEOPS_KUBELET_MINOR moves it); an empty one means the same.
# COMPONENT is a command of k8s.io/kubernetes/cmd (kubelet, kubeadm, kubectl,
# kube-apiserver, ...), default kubelet. The components not yet cached are
# built in one `go build`. Writes $NODEOPS_CACHE/artifacts/COMPONENT-vX.Y.Z-linux-amd64
# and its .sha256sum; stdout lists the binaries' paths, one per component.
#
# k8s.io/kubernetes replaces its staging modules (k8s.io/api, ...) with local
# paths, so `go install k8s.io/kubernetes/cmd/kubelet@vX` refuses it. A small
# generated module requires k8s.io/kubernetes vX and replaces each staging
# module with its published v0.Y.Z release instead.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
say_as=kubernetes
# shellcheck source=molecule/resources/lib.sh
. "$here/lib.sh"
minor=${NODEOPS_KUBELET_MINOR:-1.36}
export GOTOOLCHAIN=${NODEOPS_GOTOOLCHAIN:-local} PATH=/usr/local/go/bin:$PATH
export CGO_ENABLED=0 GOOS=linux GOARCH=amd64 GOFLAGS=-mod=mod

newest_patch() {
  go list -m -versions k8s.io/kubernetes | tr ' ' '\n' |
    grep -E "^v${minor//./\\.}\.[0-9]+\$" | sort -V | tail -n1
}

# wrapper_module DIR GOMOD VERSION: the module that builds the commands as a
# dependency. Staging replaces become the published v0.Y.Z modules; any other
# replace of k8s.io/kubernetes is carried over as it is.
wrapper_module() {
  local dir=$1 gomod=$2 version=$3 staging=v0.${3#v1.}
  mkdir -p "$dir"
  {
    echo "module nodeops.invalid/kubernetes-build"
    echo
    grep -m1 '^go ' "$gomod"
    echo
    echo "require k8s.io/kubernetes $version"
    echo
    echo "replace ("
    awk -v staging="$staging" '
      /^replace \($/ { inside = 1; next }
      inside && /^\)$/ { inside = 0 }
      inside && $2 == "=>" {
        if ($3 ~ /^\.\/staging\//) print "\t" $1 " => " $1 " " staging
        else print "\t" $0
      }' "$gomod"
    echo ")"
  } >"$dir/go.mod"
  rm -f "$dir/go.sum"
}

# says_version BINARY VERSION: whether the binary reports the version it was
# built as (kubeadm and kubectl have a version command, the rest a flag).
says_version() {
  local bin=$1 version=$2 said
  case ${bin##*/} in
    kubeadm) said=$("$bin" version -o short) ;;
    kubectl) said=$("$bin" version --client -o json | sed -n 's/.*"gitVersion": *"\([^"]*\)".*/\1/p') ;;
    *) said=$("$bin" --version | sed 's/^Kubernetes //') ;;
  esac
  [ "$said" = "$version" ] || { say "built ${bin##*/} says '$said', expected '$version'"; return 1; }
}

# build VERSION DIR COMPONENT...: one go build for every component, into DIR/bin.
build() {
  local version=$1 dir=$2 gomod info built pkgs=() c
  shift 2
  info=$(go mod download -json "k8s.io/kubernetes@$version")
  gomod=$(sed -n 's/^\t"GoMod": "\(.*\)",$/\1/p' <<<"$info")
  built=$(sed -n 's/.*"Time":"\([^"]*\)".*/\1/p' "${gomod%.mod}.info")
  wrapper_module "$dir" "$gomod" "$version"
  for c in "$@"; do pkgs+=("k8s.io/kubernetes/cmd/$c"); done
  (cd "$dir" && timed "resolve modules" go get "${pkgs[@]/%/@$version}")
  local major=${version#v} pkg=k8s.io/component-base/version ldflags=-s\ -w
  major=${major%%.*}
  local minor_n=${version#v*.}
  minor_n=${minor_n%%.*}
  ldflags+=" -X $pkg.gitVersion=$version -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor_n"
  ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$built"
  rm -rf "${dir:?}/bin" && mkdir -p "$dir/bin"
  (cd "$dir" && timed "go build $*" nice go build -trimpath -ldflags "$ldflags" -o "$dir/bin/" "${pkgs[@]}")
  for c in "$@"; do says_version "$dir/bin/$c" "$version"; done
}

main() {
  local version=${1:-} key c missing=()
  shift || true
  local components=("${@:-kubelet}")
  if [ -z "$version" ]; then
    version=$(newest_patch)
    [ -n "$version" ] || { say "no k8s.io/kubernetes v$minor.x on the Go module proxy"; return 1; }
  fi
  version=v${version#v}
  key=$(key "$version" "$(go version)" "$here/kubernetes.sh")
  mkdir -p "$cache/artifacts" "$cache/kubernetes"
  for c in "${components[@]}"; do
    local out=$cache/artifacts/$c-$version-linux-amd64
    if [ -x "$out" ] && [ -f "$out.sha256sum" ] && [ "$(cat "$cache/kubernetes/$c-$version.stamp" 2>/dev/null)" = "$key" ]; then
      say "$c $version: cached ($out)"
    else
      missing+=("$c")
    fi
  done
  if [ ${#missing[@]} -gt 0 ]; then
    local dir=$cache/kubernetes/build-$version
    say "building ${missing[*]} $version with $(go version)"
    timed "${missing[*]} $version" build "$version" "$dir" "${missing[@]}"
    for c in "${missing[@]}"; do
      local name=$c-$version-linux-amd64
      mv "$dir/bin/$c" "$cache/artifacts/$name"
      (cd "$cache/artifacts" && sha256sum "$name" >"$name.sha256sum")
      echo "$key" >"$cache/kubernetes/$c-$version.stamp"
    done
  fi
  for c in "${components[@]}"; do echo "$cache/artifacts/$c-$version-linux-amd64"; done
}

main "$@"
