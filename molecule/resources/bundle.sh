#!/usr/bin/env bash
# A real CRI-O release bundle for the test bed, laid out like CRI-O's upstream
# static bundle (one top folder cri-o/ with bin/, cni-plugins/, contrib/, etc/,
# man/, completions/):
#   - crio and pinns built from the github.com/cri-o/cri-o Go module,
#   - crictl built from the sigs.k8s.io/cri-tools Go module,
#   - conmon, runc, crun and the CNI plugins taken from Debian's packages.
#
#   bundle.sh [CRIO_VERSION]
#
# Environment: CRIO_VERSION (default 1.36.3), CRICTL_VERSION (default X.Y.0 of
# CRIO_VERSION), NODEOPS_CACHE (default ~/.cache/nodeops-crio).
# Writes $NODEOPS_CACHE/artifacts/cri-o.amd64.vX.Y.Z.tar.gz and its .sha256sum,
# reports progress on stderr and prints the tarball's path on stdout. A stamp
# beside the tarball holds the key of its inputs; an unchanged key skips the
# build.
set -euo pipefail
umask 022

crio_version=${1:-${CRIO_VERSION:-1.36.3}}
crio_version=${crio_version#v}
crictl_version=${CRICTL_VERSION:-$(cut -d. -f1,2 <<<"$crio_version").0}
crictl_version=${crictl_version#v}
arch=amd64

script=$(readlink -f "${BASH_SOURCE[0]}")
say_as=bundle
# shellcheck source=molecule/resources/lib.sh
. "$(dirname "$script")/lib.sh"
go=$(command -v go || echo /usr/local/go/bin/go)
export GOTOOLCHAIN=local

crio_module=github.com/cri-o/cri-o
crictl_module=sigs.k8s.io/cri-tools
# containers_image_openpgp avoids gpgme; libsqlite3 links Debian's sqlite
# instead of compiling the copy bundled with go-sqlite3.
crio_goflags=
crio_tags=containers_image_openpgp,libsqlite3,seccomp,exclude_graphdriver_btrfs,exclude_graphdriver_devicemapper,containers_image_ostree_stub
debian_packages=(conmon runc crun containernetworking-plugins)
build_packages=(libseccomp-dev libsqlite3-dev libc6-dev)

name=cri-o.$arch.v$crio_version.tar.gz
artifacts=$cache/artifacts
tarball=$artifacts/$name
stamp=$tarball.stamp
build=$cache/build
logs=$build/logs/v$crio_version
src=$build/src/cri-o-v$crio_version
stage=$build/stage/v$crio_version
bundle=$stage/cri-o
source_epoch='' source_commit=''

die() { say "ERROR: $*"; exit 1; }

# quiet LOG CMD...: runs one command with its output kept in a log, shown
# only when the command fails.
quiet() {
  local log=$logs/$1.log
  shift
  mkdir -p "$logs"
  "$@" >"$log" 2>&1 || {
    say "FAILED: $* (end of $log follows)"
    tail -n 40 "$log" >&2
    exit 1
  }
}

# apt-cache reads faster from a binary cache; Debian's container images
# switch that cache off, so keep one of our own.
apt_cache() {
  mkdir -p "$cache/apt"
  apt-cache -o Dir::Cache::pkgcache="$cache/apt/pkgcache.bin" \
    -o Dir::Cache::srcpkgcache="$cache/apt/srcpkgcache.bin" "$@"
}

# debian_versions: "package=version" of each Debian package the bundle ships,
# as apt would download it now.
debian_versions() {
  local out
  out=$(apt_cache show --no-all-versions "${debian_packages[@]}" 2>/dev/null |
    awk '/^Package:/ {p = $2} /^Version:/ {print p "=" $2}') || true
  if [ "$(wc -l <<<"$out")" -ne ${#debian_packages[@]} ]; then
    say "apt knows no candidate for some of ${debian_packages[*]}: running apt-get update"
    quiet apt-update apt-get update
    out=$(apt_cache show --no-all-versions "${debian_packages[@]}" |
      awk '/^Package:/ {p = $2} /^Version:/ {print p "=" $2}')
  fi
  printf '%s\n' "$out"
}

# collect_inputs: everything the bundle's content depends on, one per line.
collect_inputs() {
  printf 'script=%s\n' "$(sha256sum "$script" | cut -d' ' -f1)"
  printf 'crio=%s\ncrictl=%s\narch=%s\n' "$crio_version" "$crictl_version" "$arch"
  printf 'go=%s\n' "$("$go" env GOVERSION)"
  debian_versions | sed 's/^/deb:/'
  dpkg-query -W -f='build:${Package}=${Version}\n' "${build_packages[@]}"
}

exit_if_cached() {
  if [ -f "$tarball" ] && [ -f "$tarball.sha256sum" ] && [ -f "$stamp" ] &&
    [ "$(head -n1 "$stamp")" = "key $key" ]; then
    printf 'bundle v%s: cached\n' "$crio_version" >&2
    printf '%s\n' "$tarball"
    exit 0
  fi
}

# module_info MODULE VERSION: downloads a Go module and prints its source
# folder, release time and commit (the commit is empty when the proxy gives
# none).
module_info() {
  local module=$1 version=$2 log=$logs/download.log
  (cd "$build" && "$go" mod download "$module@v$version") >"$log" 2>&1 || {
    cat "$log" >&2
    die "the Go module proxy did not give $module@v$version"
  }
  (cd "$build" && "$go" list -m -f '{{.Dir}}|{{.Time.Unix}}|{{with .Origin}}{{.Hash}}{{end}}' "$module@v$version")
}

fetch_crio_source() {
  local info dir
  mkdir -p "$build/src" "$logs"
  info=$(module_info "$crio_module" "$crio_version")
  IFS='|' read -r dir source_epoch source_commit <<<"$info"
  # The module cache is read-only; pinns and go build want to write.
  if [ -d "$src" ]; then chmod -R u+w "$src"; rm -rf "$src"; fi
  cp -r "$dir" "$src"
  chmod -R u+w "$src"
  pin_released_kubernetes_modules
}

# Early patch releases of a CRI-O minor require the Kubernetes staging modules
# (k8s.io/api, k8s.io/cri-client, ...) at the minor's release candidate, which
# the Go module proxy here refuses; the same minor's .0 release has the same
# API. go.sum is then completed by the build (-mod=mod).
pin_released_kubernetes_modules() {
  grep -Eq '^[[:space:]]+k8s\.io/[a-z-]+ v0\.[0-9]+\.0-rc\.[0-9]+' "$src/go.mod" || return 0
  sed -i -E 's#^([[:space:]]+k8s\.io/[a-z-]+ v0\.[0-9]+\.0)-rc\.[0-9]+#\1#' "$src/go.mod"
  say "cri-o v$crio_version: k8s.io staging modules moved from their release candidate to $(
    grep -Eo 'k8s\.io/api v0\.[0-9]+\.0' "$src/go.mod" | head -n1)"
  crio_goflags=-mod=mod
}

# version_ldflags: -X flags for the build-time variables this release of
# internal/version declares (1.36 keeps the version itself in a constant).
version_ldflags() {
  local file=$src/internal/version/version.go var value
  local build_date
  build_date=$(date -u -d "@$source_epoch" +%Y-%m-%dT%H:%M:%SZ)
  for var in version gitCommit buildCommit buildDate; do
    grep -Eq "^[[:space:]]*${var}[[:space:]]+(string|=)" "$file" || continue
    case $var in
      version) value=$crio_version ;;
      gitCommit | buildCommit) value=$source_commit ;;
      buildDate) value=$build_date ;;
    esac
    if [ -n "$value" ]; then
      printf ' -X %s/internal/version.%s=%s' "$crio_module" "$var" "$value"
    fi
  done
}

build_crio() {
  local ldflags
  ldflags="-s -w$(version_ldflags)"
  mkdir -p "$bundle/bin"
  (cd "$src" && quiet crio-build env CGO_ENABLED=1 GOFLAGS="${crio_goflags:-}" "$go" build -trimpath -buildvcs=false \
    -tags "$crio_tags" -ldflags "$ldflags" -o "$bundle/bin/crio" ./cmd/crio)
  local printed
  printed=$("$bundle/bin/crio" --version | head -n1)
  [ "$printed" = "crio version $crio_version" ] ||
    die "crio --version printed '$printed', expected 'crio version $crio_version'"
}

build_pinns() {
  quiet pinns-build make -C "$src/pinns"
  install -m 755 "$src/bin/pinns" "$bundle/bin/pinns"
}

build_crictl() {
  local gobin=$build/gobin/crictl-v$crictl_version printed
  mkdir -p "$gobin"
  (cd "$build" && quiet crictl-build env CGO_ENABLED=0 GOBIN="$gobin" "$go" install -trimpath \
    -ldflags "-s -w -X $crictl_module/pkg/version.Version=v$crictl_version" \
    "$crictl_module/cmd/crictl@v$crictl_version")
  install -m 755 "$gobin/crictl" "$bundle/bin/crictl"
  printed=$("$bundle/bin/crictl" --version)
  [ "$printed" = "crictl version v$crictl_version" ] ||
    die "crictl --version printed '$printed', expected 'crictl version v$crictl_version'"
}

# debian_parts: conmon, runc, crun and the CNI plugins, from the exact
# package versions that went into the key.
debian_parts() {
  local debs=$cache/debs root=$build/debroot/v$crio_version pkg version deb
  local apt_opts=()
  # apt's _apt user cannot write into root's home.
  [ "$(id -u)" -eq 0 ] && apt_opts=(-o APT::Sandbox::User=root)
  mkdir -p "$debs"
  rm -rf "$root"
  mkdir -p "$root"
  while IFS='=' read -r pkg version; do
    deb=$debs/${pkg}_${version//:/%3a}_$arch.deb
    if [ ! -f "$deb" ]; then
      (cd "$debs" && quiet "download-$pkg" apt-get "${apt_opts[@]}" download "$pkg=$version")
    fi
    dpkg-deb -x "$deb" "$root"
  done < <(grep '^deb:' <<<"$inputs" | cut -d: -f2-)
  install -m 755 "$root/usr/bin/conmon" "$root/usr/sbin/runc" "$root/usr/bin/crun" "$bundle/bin/"
  mkdir -p "$bundle/cni-plugins"
  install -m 755 "$root"/usr/lib/cni/* "$bundle/cni-plugins/"
}

# docs: man pages and shell completions, from the crio just built (and
# go-md2man at the version CRI-O's own go.mod pins, for the crio.conf pages).
docs() {
  local md2man=$build/gobin/go-md2man-v$crio_version page
  mkdir -p "$bundle/man" "$bundle/completions"/{bash,fish,zsh}
  "$bundle/bin/crio" --config "" --config-dir "" man >"$bundle/man/crio.8" 2>/dev/null
  (cd "$src" && quiet md2man-build "$go" build -trimpath -buildvcs=false -o "$md2man" github.com/cpuguy83/go-md2man/v2)
  for page in "$src"/docs/crio.conf*.5.md; do
    "$md2man" -in "$page" -out "$bundle/man/$(basename "$page" .md)"
  done
  "$bundle/bin/crio" complete bash >"$bundle/completions/bash/crio" 2>/dev/null
  "$bundle/bin/crio" complete fish >"$bundle/completions/fish/crio.fish" 2>/dev/null
  "$bundle/bin/crio" complete zsh >"$bundle/completions/zsh/_crio" 2>/dev/null
}

# The drop-in every bundle install puts at /etc/crio/crio.conf.d/10-crio.conf.
# Its values are those of CRI-O's upstream bundle with the classic conmon
# monitor (this bundle has no conmon-rs).
write_crio_dropin() {
  cat >"$1" <<'EOF'
# CRI-O settings of the nodeops.crio release bundle, installed as
# /etc/crio/crio.conf.d/10-crio.conf. The bundle owns this file and replaces it
# on upgrade: put local settings in a later drop-in (e.g. 50-local.conf),
# which CRI-O reads after this one. Binaries live in /usr/libexec/crio.

[crio.image]
signature_policy = "/etc/crio/policy.json"

[crio.runtime]
default_runtime = "crun"

[crio.runtime.runtimes.crun]
runtime_path = "/usr/libexec/crio/crun"
runtime_root = "/run/crun"
monitor_path = "/usr/libexec/crio/conmon"
allowed_annotations = [
    "io.containers.trace-syscall",
]

[crio.runtime.runtimes.runc]
runtime_path = "/usr/libexec/crio/runc"
runtime_root = "/run/runc"
monitor_path = "/usr/libexec/crio/conmon"
EOF
}

write_policy() {
  cat >"$1" <<'EOF'
{
    "default": [
        {
            "type": "insecureAcceptAnything"
        }
    ]
}
EOF
}

write_registries() {
  cat >"$1" <<'EOF'
# Registries for CRI-O (containers-registries.conf(5), version 2 syntax),
# installed as /etc/containers/registries.conf.d/crio.conf.
# One search registry keeps short names unambiguous under CRI-O's default
# short_name_mode "enforcing".
unqualified-search-registries = ["docker.io"]
EOF
}

write_readme() {
  local deb_lines crun_version
  deb_lines=$(grep '^deb:' <<<"$inputs" | cut -d: -f2- | sed 's/^\(.*\)=\(.*\)$/- \1 \2/')
  crun_version=$(sed -n 's/^deb:crun=//p' <<<"$inputs")
  cat >"$1" <<EOF
# CRI-O v$crio_version release bundle ($arch)

Made by nodeops.crio's test bed (molecule/resources/bundle.sh), in the layout
of CRI-O's upstream static bundle, for installing CRI-O without packages.

- bin/: crio and pinns (CRI-O v$crio_version), crictl (cri-tools
  v$crictl_version), conmon, runc, crun
- cni-plugins/: the CNI plugins
- contrib/: crio.service, policy.json, registries.conf, a disabled bridge CNI
  configuration
- etc/: 10-crio.conf (the crio.conf.d drop-in), crictl.yaml,
  crio-umount.conf, crio (the service's environment file)
- man/, completions/: crio's manual pages and shell completions

Parts taken from Debian's packages:
$deb_lines

There is no install script in this bundle: the role nodeops.crio.crio
(install method "bundle") puts these files in place with Ansible.

crio links libseccomp2 and libsqlite3-0; conmon needs libglib2.0-0 and
libsystemd0; crun needs libyajl2, libsystemd0, libcap2 and libseccomp2;
runc needs libseccomp2. pinns, crictl and the CNI plugins need only libc or
nothing.

Debian 12's crun ($crun_version) is older than the OCI runtime spec that
CRI-O v$crio_version writes and refuses to create containers ("unknown
version specified"). Where it is the only crun, make runc the default
runtime with a later crio.conf.d drop-in.
EOF
}

layout_files() {
  mkdir -p "$bundle/contrib" "$bundle/etc"
  cp "$src/contrib/cni/10-crio-bridge.conflist" "$bundle/contrib/10-crio-bridge.conflist.disabled"
  cp "$src/contrib/systemd/crio.service" "$bundle/contrib/crio.service"
  write_policy "$bundle/contrib/policy.json"
  write_registries "$bundle/contrib/registries.conf"
  write_crio_dropin "$bundle/etc/10-crio.conf"
  cp "$src/crictl.yaml" "$src/crio-umount.conf" "$bundle/etc/"
  cp "$src/contrib/sysconfig/crio" "$bundle/etc/crio"
  cp "$src/LICENSE" "$bundle/LICENSE"
  write_readme "$bundle/README.md"
  chmod -R u=rwX,go=rX "$bundle"
}

# check_config: the shipped drop-in must pass crio's own validation.
check_config() {
  local dir=$build/check/v$crio_version
  rm -rf "$dir"
  mkdir -p "$dir"
  cp "$bundle/etc/10-crio.conf" "$dir/"
  quiet check-config "$bundle/bin/crio" --config "" --config-dir "$dir" config
}

# pack: a reproducible tarball (sorted names, fixed owner and time). Each
# file is written under a temporary name and moved into place; the stamp goes
# first and comes back last, so a half-written set never counts as cached.
pack() {
  mkdir -p "$artifacts"
  rm -f "$stamp"
  tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner \
    --mtime="@$source_epoch" -cf - cri-o | gzip -n >"$tarball.tmp"
  mv "$tarball.tmp" "$tarball"
  (cd "$artifacts" && sha256sum "$name") >"$tarball.sha256sum.tmp"
  mv "$tarball.sha256sum.tmp" "$tarball.sha256sum"
  { printf 'key %s\n' "$key"; printf '%s\n' "$inputs"; } >"$stamp.tmp"
  mv "$stamp.tmp" "$stamp"
}

main() {
  [ "$(dpkg --print-architecture)" = "$arch" ] || die "this script builds $arch bundles on an $arch host"
  mkdir -p "$build" "$artifacts"
  inputs=$(collect_inputs)
  key=$(sha256sum <<<"$inputs" | cut -d' ' -f1)
  exit_if_cached
  # Two runs for the same version would share folders: one at a time.
  exec 9>"$build/.lock-v$crio_version"
  flock 9
  exit_if_cached

  say "v$crio_version: building (crictl v$crictl_version, key ${key:0:12}, logs in $logs)"
  local start=$SECONDS
  rm -rf "$stage" "$logs"
  mkdir -p "$bundle" "$logs"
  timed "cri-o v$crio_version source ready" fetch_crio_source
  timed "crio v$crio_version built" build_crio
  timed "pinns built" build_pinns
  timed "crictl v$crictl_version built" build_crictl
  timed "Debian parts unpacked ($(grep '^deb:' <<<"$inputs" | cut -d: -f2- | paste -sd' '))" debian_parts
  timed "man pages and completions generated" docs
  timed "configuration files laid out" layout_files
  timed "10-crio.conf validated by crio" check_config
  timed "packed $name" pack
  say "v$crio_version: done in $((SECONDS - start)) s"
  printf '%s\n' "$tarball"
}

main
