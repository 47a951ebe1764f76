#!/usr/bin/env bash
# kubelet for the test bed, built from the Go module k8s.io/kubernetes and
# cached outside the checkout.
#
#   kubelet.sh [K8S_VERSION]   default: the newest v1.36.x patch (the minor of
#                              the bed's CRI-O; NODEOPS_KUBELET_MINOR moves it)
#
# Writes $NODEOPS_CACHE/artifacts/kubelet-vX.Y.Z-linux-amd64 and its .sha256sum;
# the last line on stdout is the binary's path. A build is skipped when its
# stamp (version, Go version, this script) matches.
#
# k8s.io/kubernetes replaces its staging modules (k8s.io/api, ...) with local
# paths, so `go install k8s.io/kubernetes/cmd/kubelet@vX` refuses it. A small
# generated module requires k8s.io/kubernetes vX and replaces each staging
# module with its published v0.Y.Z release instead.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
say_as=kubelet
# shellcheck source=molecule/resources/lib.sh
. "$here/lib.sh"
minor=${NODEOPS_KUBELET_MINOR:-1.36}
export GOTOOLCHAIN=local PATH=/usr/local/go/bin:$PATH
export CGO_ENABLED=0 GOOS=linux GOARCH=amd64 GOFLAGS=-mod=mod

newest_patch() {
  go list -m -versions k8s.io/kubernetes | tr ' ' '\n' |
    grep -E "^v${minor//./\\.}\.[0-9]+\$" | sort -V | tail -n1
}

# wrapper_module DIR GOMOD VERSION: the module that builds kubelet as a
# dependency. Staging replaces become the published v0.Y.Z modules; any other
# replace of k8s.io/kubernetes is carried over as it is.
wrapper_module() {
  local dir=$1 gomod=$2 version=$3 staging=v0.${3#v1.}
  mkdir -p "$dir"
  {
    echo "module nodeops.invalid/kubelet-build"
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

build() {
  local version=$1 out=$2 gomod info built dir=$3
  info=$(go mod download -json "k8s.io/kubernetes@$version")
  gomod=$(sed -n 's/^\t"GoMod": "\(.*\)",$/\1/p' <<<"$info")
  built=$(sed -n 's/.*"Time":"\([^"]*\)".*/\1/p' "${gomod%.mod}.info")
  wrapper_module "$dir" "$gomod" "$version"
  (cd "$dir" && timed "resolve modules" go get "k8s.io/kubernetes/cmd/kubelet@$version")
  local major=${version#v} ldflags=-s\ -w pkg=k8s.io/component-base/version
  major=${major%%.*}
  local minor_n=${version#v*.}
  minor_n=${minor_n%%.*}
  ldflags+=" -X $pkg.gitVersion=$version -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor_n"
  ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$built"
  (cd "$dir" && timed "go build" nice go build -trimpath -ldflags "$ldflags" -o "$out.tmp" k8s.io/kubernetes/cmd/kubelet)
  local said
  said=$("$out.tmp" --version)
  [ "$said" = "Kubernetes $version" ] || { say "built kubelet says '$said', expected 'Kubernetes $version'"; return 1; }
  mv "$out.tmp" "$out"
}

main() {
  local version=${1:-} out stamp key
  if [ -z "$version" ]; then
    version=$(newest_patch)
    [ -n "$version" ] || { say "no k8s.io/kubernetes v$minor.x on the Go module proxy"; return 1; }
  fi
  version=v${version#v}
  out=$cache/artifacts/kubelet-$version-linux-amd64
  stamp=$cache/kubelet/$version.stamp
  key=$(key "$version" "$(go version)" "$here/kubelet.sh")
  mkdir -p "$cache/artifacts" "$cache/kubelet"
  if [ -x "$out" ] && [ -f "$out.sha256sum" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$key" ]; then
    say "$version: cached ($out)"
  else
    say "building kubelet $version with $(go version)"
    timed "kubelet $version" build "$version" "$out" "$cache/kubelet/build-$version"
    (cd "$cache/artifacts" && sha256sum "${out##*/}" >"${out##*/}.sha256sum")
    echo "$key" >"$stamp"
  fi
  echo "$out"
}

main "$@"
