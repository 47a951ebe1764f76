#!/usr/bin/env bash
# cri-tools' CRI validation suite for the conformance scenario, built here
# and cached outside the checkout:
#   - critest from the Go module sigs.k8s.io/cri-tools (its cmd/critest is a
#     test binary, so `go test -c` builds it);
#   - the test images critest pulls by name, made from Debian's busybox (and
#     Debian's nginx for the web server images) with the content each spec
#     reads: users and groups, a set-user-ID program, a web server.
#
#   critest.sh [VERSION]   default v1.37.0
#
# Writes $NODEOPS_CACHE/artifacts/critest-VERSION-linux-amd64 (and its
# .sha256sum, for the mirror's HTTP server) and one docker-archive per image
# to $NODEOPS_CACHE/images/critest-KEY/, whose file `images` lists
# "NAME:TAG ARCHIVE" per line, NAME the path below the mirror's registry.
# stdout: the binary's path, then that folder. An unchanged KEY skips it all.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
say_as=critest
# shellcheck source=molecule/resources/lib.sh
. "$here/lib.sh"
export GOTOOLCHAIN=local PATH=/usr/local/go/bin:$PATH
export CGO_ENABLED=0 GOOS=linux GOARCH=amd64 GOFLAGS=-mod=mod

# What the images are made of: Debian's busybox and nginx packages (busybox,
# not busybox-static, whose shell runs its own applets where critest masks
# /bin/ls), the host's libraries they load, and the two commands critest
# runs that Debian's busybox lacks.
packages=(busybox nginx)
host_libs=(libc6 libcrypt1 libpcre2-8-0 libssl3 zlib1g)
extras=(/usr/bin/pgrep /usr/bin/ipcs)
# Images without a PATH leave commands such as `sh` unfound.
path_env='ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

# libs_of BINARY...: the libraries the binaries load.
libs_of() {
  ldd "$@" | awk '$2 == "=>" { print $3 } $1 ~ /^\// && $1 !~ /:$/ { print $1 }' | sort -u
}

# with_libs ROOT DIR BINARY...: the binaries in ROOT/DIR, their libraries in
# ROOT at the paths they have here.
with_libs() {
  local root=$1 dir=$2 lib
  shift 2
  mkdir -p "$root$dir"
  cp "$@" "$root$dir/"
  for lib in $(libs_of "$@"); do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
}

# critest_binary VERSION OUT: the suite, reporting VERSION as its own.
critest_binary() {
  local version=$1 out=$2 dir=$cache/critest/build
  rm -rf "$dir" && mkdir -p "$dir"
  printf 'module nodeops.invalid/critest-build\n\ngo 1.26\n\nrequire sigs.k8s.io/cri-tools %s\n' "$version" >"$dir/go.mod"
  # cmd/critest holds only a test file; the import keeps its module in go.mod.
  printf '//go:build tools\n\npackage tools\n\nimport _ "sigs.k8s.io/cri-tools/cmd/critest"\n' >"$dir/tools.go"
  (cd "$dir" && go mod tidy >"$dir/tidy.log" 2>&1) || { cat "$dir/tidy.log" >&2; return 1; }
  (cd "$dir" && timed "go test -c critest $version" nice go test -c -trimpath \
    -ldflags "-s -w -X sigs.k8s.io/cri-tools/pkg/version.Version=$version" -o "$out" sigs.k8s.io/cri-tools/cmd/critest)
  local said
  said=$("$out" --version 2>/dev/null | sed -n 's/^critest version: //p')
  [ "$said" = "$version" ] || { say "built critest says '$said', expected '$version'"; return 1; }
}

# base ROOT: busybox with every applet, the users the images name, /tmp.
base() {
  local root=$1 applet
  mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/var/run"
  chmod 1777 "$root/tmp"
  with_libs "$root" /bin "$cache/critest/debs/bin/busybox"
  for applet in $("$root/bin/busybox" --list); do
    [ "$applet" = busybox ] || ln "$root/bin/busybox" "$root/bin/$applet"
  done
  printf '%s\n' root:x:0:0:root:/root:/bin/sh www-data:x:33:33:www-data:/var/www:/bin/sh \
    nobody:x:65534:65534:nobody:/nonexistent:/bin/sh >"$root/etc/passwd"
  printf '%s\n' root:x:0: www-data:x:33: nogroup:x:65534: >"$root/etc/group"
}

# nginx ROOT PORT: Debian's nginx with the libraries it loads, serving PORT.
nginx_root() {
  local root=$1 port=$2
  base "$root"
  mkdir -p "$root/etc/nginx" "$root/usr/share/nginx/html" "$root/var/lib/nginx" "$root/var/log/nginx"
  with_libs "$root" /usr/sbin "$cache/critest/debs/usr/sbin/nginx"
  sed "s/@PORT@/$port/" "$here/critest/nginx.conf" >"$root/etc/nginx/nginx.conf"
  echo '<h1>nodeops.crio test bed</h1>' >"$root/usr/share/nginx/html/index.html"
}

# image OUT NAME:TAG... -- ROOT ENTRYPOINT [CHANGE...]: one archive, listed
# under every NAME:TAG (the same image under several tags).
image() {
  local out=$1 refs=() ref
  shift
  while [ "$1" != -- ]; do refs+=("$1"); shift; done
  shift
  local root=$1 entry=$2 file=$out/${refs[0]//[\/:]/_}.tar
  shift 2
  oci_image "critest-${refs[0]//\//-}" "$root" "$entry" "$file" "$path_env" "$@"
  docker rmi "nodeops-crio/critest-${refs[0]//\//-}" >/dev/null
  for ref in "${refs[@]}"; do echo "$ref $file" >>"$out/images"; done
}

images() {
  local out=$1 work=$2 e2e=e2e-test-images cri=k8s-staging-cri-tools r n
  local pkg
  ( cd "$work" && apt-get download "${packages[@]}" >/dev/null 2>&1 ) ||
    { apt-get update -qq && ( cd "$work" && apt-get download "${packages[@]}" >/dev/null ); }
  rm -rf "$cache/critest/debs"
  for pkg in "${packages[@]}"; do dpkg-deb -x "$work/${pkg}"_*.deb "$cache/critest/debs"; done

  base "$work/busybox"
  with_libs "$work/busybox" /usr/bin "${extras[@]}"
  image "$out" "$e2e/busybox:1.29-2" -- "$work/busybox" '["/bin/sh"]'
  nginx_root "$work/nginx" 80
  image "$out" "$e2e/nginx:1.14-2" -- "$work/nginx" '["/usr/sbin/nginx"]'
  nginx_root "$work/hostnet-nginx" 12003
  image "$out" "$cri/hostnet-nginx-amd64:latest" -- "$work/hostnet-nginx" '["/usr/sbin/nginx"]'

  base "$work/httpd"
  mkdir -p "$work/httpd/htdocs" "$work/httpd/usr/local/bin"
  echo '<h1>nodeops.crio test bed</h1>' >"$work/httpd/htdocs/index.html"
  cp "$here/critest/httpd" "$work/httpd/usr/local/bin/httpd-foreground"
  image "$out" "$e2e/httpd:2.4.39-4" -- "$work/httpd" '["/usr/local/bin/httpd-foreground"]'

  base "$work/nonewprivs"
  gcc -static -Os -o "$work/nonewprivs/nonewprivs" "$here/critest/nonewprivs.c"
  chmod 4755 "$work/nonewprivs/nonewprivs"
  image "$out" "$e2e/nonewprivs:1.3" -- "$work/nonewprivs" '["/nonewprivs"]'

  base "$work/pause"
  gcc -static -Os -o "$work/pause/pause" "$here/mirror/pause.c"
  image "$out" pause:3.9 -- "$work/pause" '["/pause"]'

  # The image specs: users as the image config names them.
  image "$out" "$cri/test-image-user-uid:latest" -- "$work/busybox" '["/bin/sh"]' 'USER 1002'
  image "$out" "$cri/test-image-user-username:latest" -- "$work/busybox" '["/bin/sh"]' 'USER www-data'
  image "$out" "$cri/test-image-user-uid-group:latest" -- "$work/busybox" '["/bin/sh"]' 'USER 1003:1003'
  image "$out" "$cri/test-image-user-username-group:latest" -- "$work/busybox" '["/bin/sh"]' 'USER www-data:www-data'
  base "$work/group"
  echo default-user:x:1000:1000::/home/default-user:/bin/sh >>"$work/group/etc/passwd"
  printf '%s\n' default-user:x:1000: group-defined-in-image:x:50000:default-user >>"$work/group/etc/group"
  image "$out" "$cri/test-image-predefined-group:latest" -- "$work/group" '["/bin/sh"]' 'USER 1000'

  # References by name, tag and both; three images; one image under three tags.
  image "$out" "$cri/test-image-latest:latest" -- "$work/busybox" '["/bin/sh"]'
  image "$out" "$cri/test-image-tag:test" -- "$work/busybox" '["/bin/sh"]'
  image "$out" "$cri/test-image-tag:all" -- "$work/busybox" '["/bin/sh"]'
  for n in 1 2 3; do
    r=$work/image-$n && base "$r" && echo "$n" >"$r/test-image"
    image "$out" "$cri/test-image-$n:latest" -- "$r" '["/bin/sh"]'
  done
  image "$out" "$cri/test-image-tags:1" "$cri/test-image-tags:2" "$cri/test-image-tags:3" -- "$work/busybox" '["/bin/sh"]'
}

main() {
  local version=${1:-v1.37.0} key out bin work libs=()
  version=v${version#v}
  mapfile -t libs < <(libs_of "${extras[@]}")
  key=$(key "$here/critest.sh" "$here/lib.sh" "$here/mirror/pause.c" "$here"/critest/* "$version" "$(go version)" \
    "$(dpkg-query -W "${host_libs[@]}")" "${extras[@]}" "${libs[@]}" "$(apt-cache policy "${packages[@]}" | sed -n 's/^ *Candidate: //p')")
  bin=$cache/artifacts/critest-$version-linux-amd64
  out=$cache/images/critest-$key
  mkdir -p "$cache/artifacts" "$cache/critest"
  if [ -x "$bin" ] && [ "$(cat "$cache/critest/stamp" 2>/dev/null)" = "$key" ] && [ -f "$out/done" ]; then
    say "critest $version and its images: cached ($out)"
    printf '%s\n%s\n' "$bin" "$out"
    return 0
  fi
  critest_binary "$version" "$bin"
  (cd "$cache/artifacts" && sha256sum "${bin##*/}" >"${bin##*/}.sha256sum")
  work=$(mktemp -d "$cache/critest.XXXXXX")
  rm -rf "$out" && mkdir -p "$out"
  timed "test images" images "$out" "$work"
  rm -rf "$work"
  echo "$key" >"$cache/critest/stamp"
  touch "$out/done"
  say "critest $version and $(wc -l <"$out/images") test images ($out)"
  printf '%s\n%s\n' "$bin" "$out"
}

main "$@"
