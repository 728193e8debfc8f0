#!/usr/bin/env bash
# A Debian package of the release binary and its systemd files: .build-release/shoal_VERSION_amd64.deb
#
#   scripts/build-deb.sh [--binary PATH]        (make deb; default: the release build, made if absent)
#
# It installs /usr/bin/shoal, the unit as /lib/systemd/system/shoal.service (ExecStart pointed at
# /usr/bin/shoal), the sysusers.d and tmpfiles.d files, /etc/shoal/shoal.yaml as a conffile and
# the README. Depends is what dpkg-shlibdeps finds the binary loads (libc6, libsodium23,
# libzstd1, libsqlite3-0 for a release build), plus systemd. postinst creates the shoal user
# and /etc/shoal/cluster and reloads systemd; it neither enables nor starts the agent, which needs
# a certificate first (README, "Trust"). The version is 0.1.0+git<commit date>.<commit>.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
binary=""
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary=$2; shift 2 ;;
    *) echo "build-deb.sh: unknown option $1 (use --binary PATH)" >&2; exit 2 ;;
  esac
done
if [ -z "$binary" ]; then
  binary="$root/.build-release/release/shoal"
  [ -x "$binary" ] || "$root/scripts/build-release.sh"
fi
[ -x "$binary" ] || { echo "build-deb.sh: no binary at $binary" >&2; exit 1; }
version="0.1.0+git$(git -C "$root" log -1 --format=%cd --date=format:%Y%m%d).$(git -C "$root" rev-parse --short=8 HEAD)"
arch=$(dpkg --print-architecture)
stage=$(mktemp -d /tmp/shoal-deb.XXXXXX)
trap 'rm -rf "$stage"' EXIT
pkg=$stage/pkg

install -D -m 0755 "$binary" "$pkg/usr/bin/shoal"
install -d "$pkg/lib/systemd/system"
sed 's|/usr/local/bin/shoal|/usr/bin/shoal|' "$root/deploy/shoal.service" > "$pkg/lib/systemd/system/shoal.service"
chmod 0644 "$pkg/lib/systemd/system/shoal.service"
install -D -m 0644 "$root/deploy/sysusers.d/shoal.conf" "$pkg/usr/lib/sysusers.d/shoal.conf"
install -D -m 0644 "$root/deploy/tmpfiles.d/shoal.conf" "$pkg/usr/lib/tmpfiles.d/shoal.conf"
install -D -m 0640 "$root/config/shoal.yaml" "$pkg/etc/shoal/shoal.yaml"
install -D -m 0644 "$root/README.md" "$pkg/usr/share/doc/shoal/README.md"

# Depends from the libraries the binary really loads.
mkdir -p "$stage/src/debian"
printf 'Source: shoal\n\nPackage: shoal\nArchitecture: any\n' > "$stage/src/debian/control"
shlibs=$(cd "$stage/src" && dpkg-shlibdeps -O "$pkg/usr/bin/shoal" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[ -n "$shlibs" ] || { echo "build-deb.sh: dpkg-shlibdeps found no dependencies (is $binary a release build?)" >&2; exit 1; }

install -d "$pkg/DEBIAN"
cat > "$pkg/DEBIAN/control" <<EOF
Package: shoal
Version: $version
Architecture: $arch
Maintainer: Shoal developers <shoal@localhost>
Depends: $shlibs, systemd
Section: net
Priority: optional
Installed-Size: $(du -sk "$pkg" | cut -f1)
Description: peer-to-peer cluster agent
 Shoal agents join a cluster through one seed, find each other by SWIM gossip, sign every
 message with the node's Ed25519 key, share content-addressed objects and elect a leader
 that runs tasks. The agent runs as the systemd service shoal.service.
EOF
echo /etc/shoal/shoal.yaml > "$pkg/DEBIAN/conffiles"
cat > "$pkg/DEBIAN/postinst" <<'EOF'
#!/bin/sh
set -e
if [ "$1" = configure ]; then
  systemd-sysusers /usr/lib/sysusers.d/shoal.conf
  systemd-tmpfiles --create /usr/lib/tmpfiles.d/shoal.conf
  chgrp shoal /etc/shoal /etc/shoal/shoal.yaml
  chmod 0750 /etc/shoal
  if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi
  if [ ! -e /etc/shoal/cluster/authority.pub ]; then
    echo "shoal: add /etc/shoal/cluster/authority.pub and this node's certificate, then: systemctl enable --now shoal"
  fi
fi
EOF
cat > "$pkg/DEBIAN/prerm" <<'EOF'
#!/bin/sh
set -e
if [ "$1" = remove ] && [ -d /run/systemd/system ]; then
  systemctl disable --now shoal.service >/dev/null 2>&1 || true
fi
EOF
cat > "$pkg/DEBIAN/postrm" <<'EOF'
#!/bin/sh
set -e
if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
EOF
chmod 0755 "$pkg/DEBIAN/postinst" "$pkg/DEBIAN/prerm" "$pkg/DEBIAN/postrm"
out="$root/.build-release/shoal_${version}_${arch}.deb"
mkdir -p "$(dirname "$out")"
dpkg-deb --root-owner-group --build "$pkg" "$out" >/dev/null
echo "$out"
