#!/usr/bin/env bash
# Debian's containerd for the test bed's nodes, which have no package mirror:
# the .deb files of containerd and runc (its dependency; the others, libc6 and
# libseccomp2, are in the node image) downloaded here, for a scenario to copy
# in and install with dpkg.
#
#   containerd-debs.sh
#
# Writes $NODEOPS_CACHE/debs/containerd/*.deb and prints that folder on
# stdout. A stamp there holds the key of the versions apt would download (and
# of this script); an unchanged key skips the download.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
say_as=containerd-debs
# shellcheck source=molecule/resources/lib.sh
. "$here/lib.sh"
packages=(containerd runc)
out=$cache/debs/containerd
stamp=$out/stamp

# candidates: "package=version" of each package, as apt would download it now.
candidates() {
  apt-cache show --no-all-versions "${packages[@]}" 2>/dev/null |
    awk '/^Package:/ {p = $2} /^Version:/ {print p "=" $2}' || true
}

main() {
  local wanted key apt_opts=()
  wanted=$(candidates)
  if [ "$(grep -c = <<<"$wanted")" -ne ${#packages[@]} ]; then
    say "apt knows no candidate for some of ${packages[*]}: running apt-get update"
    apt-get update -qq
    wanted=$(candidates)
  fi
  key=$(key "$here/containerd-debs.sh" "$wanted")
  if [ "$(cat "$stamp" 2>/dev/null)" = "$key" ]; then
    say "cached ($out)"
    echo "$out"
    return 0
  fi
  # apt's _apt user cannot write into root's home.
  [ "$(id -u)" -eq 0 ] && apt_opts=(-o APT::Sandbox::User=root)
  rm -rf "$out"
  mkdir -p "$out"
  # shellcheck disable=SC2086 # one word per package=version
  (cd "$out" && apt-get "${apt_opts[@]}" -qq download $wanted)
  [ "$(find "$out" -name '*.deb' | wc -l)" -eq ${#packages[@]} ] ||
    { say "expected ${#packages[@]} .deb files in $out"; return 1; }
  echo "$key" >"$stamp"
  say "downloaded $(paste -sd " " - <<<"$wanted")"
  echo "$out"
}

main "$@"
