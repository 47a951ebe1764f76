#!/usr/bin/env bash
# Signed apt repositories for the test bed, made from its CRI-O release
# bundles and laid out like the real ones (flat repositories, one stream per
# minor, used as `deb [signed-by=KEYRING] URL/ /`), under the artifacts the
# mirror serves on :8080:
#
#   isv:/cri-o:/stable:/vX.Y/deb/   cri-o X.Y.Z-1.1 for each bundle of minor X.Y
#                                   (as download.opensuse.org/repositories/...)
#   core:/stable:/vX.Y/deb/         cri-tools with the newest bundle's crictl
#                                   (as pkgs.k8s.io/core:/stable:/...)
#   isv:/cri-o:/badsig:/vX.Y/deb/   the cri-o packages again, signed by a key
#                                   other than the Release.key it publishes
#
# Each folder holds the .debs under amd64/, Packages(.gz), Release, InRelease,
# Release.gpg and Release.key (ASCII-armoured), as apt expects from a flat
# repository.
#
#   apt-repo.sh
#
# Environment: NODEOPS_CRIO_VERSIONS (bundles to package, default
# "1.36.2 1.36.3"; bundle.sh must have built them), NODEOPS_CACHE (default
# ~/.cache/nodeops-crio). The two signing keys are made once, without a
# passphrase, in $NODEOPS_CACHE/apt-repo/gnupg. A stamp holds the key of the
# inputs (bundles, keys, tools, this script); an unchanged key skips the work.
set -euo pipefail
umask 022

script=$(readlink -f "${BASH_SOURCE[0]}")
say_as=apt-repo
# shellcheck source=molecule/resources/lib.sh
. "$(dirname "$script")/lib.sh"

crio_versions=${NODEOPS_CRIO_VERSIONS:-1.36.2 1.36.3}
arch=amd64
# The Debian revision CRI-O's and Kubernetes' repositories give their builds.
revision=1.1
artifacts=$cache/artifacts
stamp=$artifacts/apt-repo.stamp
work=$cache/build/apt-repo
export GNUPGHOME=$cache/apt-repo/gnupg
# The trees under artifacts this script owns, replaced whole.
tops=("isv:" "core:")

die() { say "ERROR: $*"; exit 1; }

minor_of() { cut -d. -f1,2 <<<"$1"; }

# fingerprint UID: the fingerprint of the bed's key with that user ID.
fingerprint() {
  gpg --batch --with-colons --list-secret-keys "=$1" 2>/dev/null | awk -F: '/^fpr:/ {print $10; exit}'
}

# signing_key UID: makes the key once; RSA 4096, as apt 3's sqv accepts.
signing_key() {
  if [ -z "$(fingerprint "$1")" ]; then
    say "generating the signing key \"$1\""
    gpg --batch --quiet --passphrase '' --quick-generate-key "$1" rsa4096 sign never 2>/dev/null
  fi
  fingerprint "$1"
}

keys() {
  mkdir -p "$GNUPGHOME"
  chmod 700 "$GNUPGHOME"
  repo_key=$(signing_key "nodeops.crio test bed repositories <bed@nodeops-crio.invalid>")
  other_key=$(signing_key "nodeops.crio test bed, not the published key <other@nodeops-crio.invalid>")
}

collect_inputs() {
  local v
  printf 'script=%s\n' "$(sha256sum "$script" | cut -d' ' -f1)"
  printf 'arch=%s\nrevision=%s\nrepo_key=%s\nother_key=%s\n' "$arch" "$revision" "$repo_key" "$other_key"
  for v in $crio_versions; do
    [ -f "$artifacts/cri-o.$arch.v$v.tar.gz.sha256sum" ] ||
      die "no bundle v$v in $artifacts: build it first (bed.sh bundle $v)"
    printf 'bundle=%s\n' "$(cat "$artifacts/cri-o.$arch.v$v.tar.gz.sha256sum")"
  done
  dpkg-query -W -f='tool:${Package}=${Version}\n' dpkg apt-utils gpg
}

exit_if_cached() {
  local top
  for top in "${tops[@]}"; do [ -d "$artifacts/$top" ] || return 0; done
  if [ -f "$stamp" ] && [ "$(head -n1 "$stamp")" = "key $key" ]; then
    say "repositories: cached"
    exit 0
  fi
}

unpack_bundle() {
  local v=$1
  mkdir -p "$work/bundles/v$v"
  tar -xzf "$artifacts/cri-o.$arch.v$v.tar.gz" -C "$work/bundles/v$v"
}

# control DIR PACKAGE VERSION DEPENDS DESCRIPTION: DEBIAN/control of a tree.
control() {
  local dir=$1 package=$2 version=$3 depends=$4 description=$5 size
  size=$(du -sk --exclude=DEBIAN "$dir" | cut -f1)
  mkdir -p "$dir/DEBIAN"
  {
    printf 'Package: %s\nVersion: %s\nArchitecture: %s\n' "$package" "$version" "$arch"
    printf 'Maintainer: nodeops.crio test bed <bed@nodeops-crio.invalid>\n'
    printf 'Installed-Size: %s\nSection: admin\nPriority: optional\nHomepage: https://cri-o.io\n' "$size"
    [ -z "$depends" ] || printf 'Depends: %s\n' "$depends"
    printf 'Description: %s\n' "$description"
  } >"$dir/DEBIAN/control"
}

# The package's IPv4 bridge network (11-crio-ipv4-bridge.conflist). CRI-O
# uses the network that sorts first, so a cluster's or the role's own
# (10-nodeops-bridge) comes before it.
write_bridge() {
  cat >"$1" <<'EOF'
{
  "cniVersion": "1.0.0",
  "name": "crio",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "cni0",
      "isGateway": true,
      "ipMasq": true,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "routes": [{ "dst": "0.0.0.0/0" }],
        "ranges": [[{ "subnet": "10.85.0.0/16" }]]
      }
    }
  ]
}
EOF
}

# Maintainer scripts: the unit is read again after every change, and a
# running crio is restarted on upgrade (as the real package's
# systemd_postun_with_restart does); a fresh install starts nothing.
write_scripts() {
  local debian=$1
  cat >"$debian/postinst" <<'EOF'
#!/bin/sh
set -e
if [ "$1" = configure ] && [ -d /run/systemd/system ]; then
  systemctl daemon-reload || true
  if [ -n "$2" ]; then
    systemctl try-restart crio.service || true
  fi
fi
EOF
  cat >"$debian/prerm" <<'EOF'
#!/bin/sh
set -e
if [ "$1" = remove ] && [ -d /run/systemd/system ]; then
  systemctl stop crio.service || true
fi
EOF
  cat >"$debian/postrm" <<'EOF'
#!/bin/sh
set -e
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload || true
fi
EOF
  chmod 755 "$debian/postinst" "$debian/prerm" "$debian/postrm"
}

# cri_o_package VERSION: the cri-o .deb of one bundle, in the places CRI-O's
# own packages use: crio and pinns in /usr/bin; conmon, crun and runc in
# /usr/libexec/crio; the configuration under /etc as conffiles; the unit in
# /usr/lib/systemd/system, reading /etc/default/crio. The real package
# recommends kubernetes-cni for the CNI plugins; this one carries them in
# /opt/cni/bin itself, where kubernetes-cni puts them, so the bed needs no
# second package. The bed's binaries link the node images' libseccomp2,
# libsqlite3-0, libglib2.0-0 and libyajl2; only iptables is declared, as the
# real package declares it.
cri_o_package() {
  local v=$1
  local b=$work/bundles/v$v/cri-o root=$work/roots/cri-o-$v f epoch
  epoch=$(stat -c %Y "$b/bin/crio")
  rm -rf "$root"
  install -d "$root/usr/bin" "$root/usr/libexec/crio" "$root/opt/cni/bin" "$root/var/lib/crio" \
    "$root/usr/lib/systemd/system" "$root/etc/crio/crio.conf.d" "$root/etc/containers/registries.conf.d" \
    "$root/etc/cni/net.d" "$root/etc/default" "$root/usr/share/oci-umount/oci-umount.d" \
    "$root/usr/share/man/man5" "$root/usr/share/man/man8" "$root/usr/share/doc/cri-o" \
    "$root/usr/share/bash-completion/completions" "$root/usr/share/fish/vendor_completions.d" \
    "$root/usr/share/zsh/vendor-completions"
  install -m 755 "$b/bin/crio" "$b/bin/pinns" "$root/usr/bin/"
  install -m 755 "$b/bin/conmon" "$b/bin/crun" "$b/bin/runc" "$root/usr/libexec/crio/"
  install -m 755 "$b"/cni-plugins/* "$root/opt/cni/bin/"
  install -m 644 "$b/etc/10-crio.conf" "$root/etc/crio/crio.conf.d/10-crio.conf"
  install -m 644 "$b/contrib/policy.json" "$root/etc/crio/policy.json"
  install -m 644 "$b/contrib/registries.conf" "$root/etc/containers/registries.conf.d/crio.conf"
  install -m 644 "$b/etc/crictl.yaml" "$root/etc/crictl.yaml"
  write_bridge "$root/etc/cni/net.d/11-crio-ipv4-bridge.conflist"
  sed 's;/etc/sysconfig/crio;/etc/default/crio;g' "$b/etc/crio" >"$root/etc/default/crio"
  sed -e 's;/usr/local/bin;/usr/bin;g' -e 's;/etc/sysconfig/crio;/etc/default/crio;g' \
    "$b/contrib/crio.service" >"$root/usr/lib/systemd/system/crio.service"
  install -m 644 "$b/etc/crio-umount.conf" "$root/usr/share/oci-umount/oci-umount.d/"
  for f in crio.conf.5 crio.conf.d.5; do gzip -9n <"$b/man/$f" >"$root/usr/share/man/man5/$f.gz"; done
  gzip -9n <"$b/man/crio.8" >"$root/usr/share/man/man8/crio.8.gz"
  install -m 644 "$b/completions/bash/crio" "$root/usr/share/bash-completion/completions/crio"
  install -m 644 "$b/completions/fish/crio.fish" "$root/usr/share/fish/vendor_completions.d/crio.fish"
  install -m 644 "$b/completions/zsh/_crio" "$root/usr/share/zsh/vendor-completions/_crio"
  install -m 644 "$b/LICENSE" "$root/usr/share/doc/cri-o/copyright"
  chmod 644 "$root"/etc/default/crio "$root"/usr/lib/systemd/system/crio.service
  control "$root" cri-o "$v-$revision" iptables \
    "Open Container Initiative-based implementation of the Kubernetes Container Runtime Interface"
  (cd "$root" && find etc -type f | sort | sed 's;^;/;') >"$root/DEBIAN/conffiles"
  write_scripts "$root/DEBIAN"
  build_deb "$root" "$epoch" "$work/pool/cri-o_$v-${revision}_$arch.deb"
}

# cri_tools_package BUNDLE_VERSION: crictl of that bundle as cri-tools, at
# the version the binary reports.
cri_tools_package() {
  local b=$work/bundles/v$1/cri-o root version epoch
  version=$("$b/bin/crictl" --version | sed -n 's/^crictl version v//p')
  [ -n "$version" ] || die "crictl of bundle v$1 printed no version"
  root=$work/roots/cri-tools-$version
  epoch=$(stat -c %Y "$b/bin/crictl")
  rm -rf "$root"
  install -d "$root/usr/bin" "$root/usr/share/doc/cri-tools"
  install -m 755 "$b/bin/crictl" "$root/usr/bin/crictl"
  install -m 644 "$b/LICENSE" "$root/usr/share/doc/cri-tools/copyright"
  control "$root" cri-tools "$version-$revision" "" "Command-line utility for interacting with a container runtime"
  build_deb "$root" "$epoch" "$work/pool/cri-tools_$version-${revision}_$arch.deb"
  crictl_minor=$(minor_of "$version")
}

# build_deb ROOT EPOCH OUT: a reproducible .deb (owner root, times clamped).
build_deb() {
  find "$1" -newermt "@$2" -exec touch -h -d "@$2" {} +
  SOURCE_DATE_EPOCH=$2 dpkg-deb --root-owner-group -Zgzip --build "$1" "$3" >/dev/null
}

# sign_repo DIR SIGNER PUBLISHED ORIGIN: package index, Release, its two
# signatures (by SIGNER) and Release.key (PUBLISHED's public key).
sign_repo() {
  local dir=$1 signer=$2 published=$3 origin=$4 date
  date=$(LC_ALL=C date -u -d "@$epoch" '+%a, %d %b %Y %H:%M:%S UTC')
  (
    cd "$dir"
    apt-ftparchive packages "$arch" >Packages
    gzip -9n <Packages >Packages.gz
    apt-ftparchive -o APT::FTPArchive::Release::Origin="$origin" -o APT::FTPArchive::Release::Label="$origin" \
      -o APT::FTPArchive::Release::Architectures="$arch" -o APT::FTPArchive::Release::Date="$date" \
      release . >"../Release.tmp"
    mv ../Release.tmp Release
    gpg --batch --yes --quiet --local-user "$signer" --clearsign -o InRelease Release
    gpg --batch --yes --quiet --local-user "$signer" --armor --detach-sign -o Release.gpg Release
    gpg --batch --armor --export "$published" >Release.key
  )
}

# add DIR DEB...: hard links of the built packages under DIR/amd64.
add() {
  local dir=$1
  shift
  mkdir -p "$dir/$arch"
  ln "$@" "$dir/$arch/"
}

build_repos() {
  local v minor newest made dir out=$work/out
  rm -rf "$work/roots" "$work/bundles" "$work/pool" "$out"
  mkdir -p "$work/pool" "$out"
  # The Release files' date: the newest bundle's, so a rebuild repeats it.
  epoch=0
  for v in $crio_versions; do
    timed "bundle v$v unpacked" unpack_bundle "$v"
    timed "cri-o $v-$revision packed" cri_o_package "$v"
    newest=$v
    made=$(stat -c %Y "$work/bundles/v$v/cri-o/bin/crio")
    [ "$made" -le "$epoch" ] || epoch=$made
  done
  timed "cri-tools packed" cri_tools_package "$newest"
  for v in $crio_versions; do
    minor=$(minor_of "$v")
    add "$out/isv:/cri-o:/stable:/v$minor/deb" "$work/pool/cri-o_$v-${revision}_$arch.deb"
    add "$out/isv:/cri-o:/badsig:/v$minor/deb" "$work/pool/cri-o_$v-${revision}_$arch.deb"
  done
  add "$out/core:/stable:/v$crictl_minor/deb" "$work"/pool/cri-tools_*.deb
  for dir in "$out"/isv:/cri-o:/stable:/*/deb; do
    sign_repo "$dir" "$repo_key" "$repo_key" "isv:cri-o:stable:$(basename "$(dirname "$dir")")"
  done
  for dir in "$out"/isv:/cri-o:/badsig:/*/deb; do
    sign_repo "$dir" "$other_key" "$repo_key" "isv:cri-o:badsig:$(basename "$(dirname "$dir")")"
  done
  for dir in "$out"/core:/stable:/*/deb; do
    sign_repo "$dir" "$repo_key" "$repo_key" "core:stable:$(basename "$(dirname "$dir")")"
  done
  check_repos "$out"
}

# check_repos OUT: apt's own verifier accepts the stable repositories with
# the published key and refuses the badsig one.
check_repos() {
  local dir
  for dir in "$1"/isv:/cri-o:/stable:/*/deb "$1"/core:/stable:/*/deb; do
    verify "$dir" || die "gpgv refuses $dir/InRelease with its own Release.key"
  done
  for dir in "$1"/isv:/cri-o:/badsig:/*/deb; do
    if verify "$dir"; then die "gpgv accepts $dir/InRelease, which must not match its Release.key"; fi
  done
}

verify() {
  local keyring=$work/verify.gpg
  gpg --batch --yes --dearmor -o "$keyring" "$1/Release.key"
  gpgv --keyring "$keyring" "$1/InRelease" >/dev/null 2>&1
}

# publish: the stamp goes first and comes back last, so a half-replaced set
# never counts as cached.
publish() {
  local top
  rm -f "$stamp"
  for top in "${tops[@]}"; do
    rm -rf "$artifacts/$top.old"
    if [ -d "$artifacts/$top" ]; then mv "$artifacts/$top" "$artifacts/$top.old"; fi
    mv "$work/out/$top" "$artifacts/$top"
    rm -rf "$artifacts/$top.old"
  done
  { printf 'key %s\n' "$key"; printf '%s\n' "$inputs"; } >"$stamp.tmp"
  mv "$stamp.tmp" "$stamp"
}

main() {
  local need
  for need in dpkg-deb apt-ftparchive gpg gpgv; do
    command -v "$need" >/dev/null || die "$need is missing (Debian packages dpkg, apt-utils, gpg, gpgv)"
  done
  mkdir -p "$work" "$artifacts"
  exec 9>"$work.lock"
  flock 9
  keys
  inputs=$(collect_inputs)
  key=$(sha256sum <<<"$inputs" | cut -d' ' -f1)
  exit_if_cached
  say "building (key ${key:0:12}, versions $crio_versions)"
  local start=$SECONDS
  build_repos
  publish
  rm -rf "$work/roots" "$work/bundles" "$work/pool"
  say "done in $((SECONDS - start)) s: $(cd "$artifacts" && find "${tops[@]}" -name deb -type d | sort | paste -sd' ')"
}

main
