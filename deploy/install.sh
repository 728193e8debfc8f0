#!/usr/bin/env bash
# Installs Shoal as a systemd service on this machine.
#
#   deploy/install.sh [--binary PATH] [--no-start]
#
# Builds a release binary unless --binary is given, installs the runtime libraries it needs
# (libsodium23, libzstd1, libsqlite3-0) when missing, then installs:
#   /usr/local/bin/shoal, /etc/systemd/system/shoal.service,
#   /usr/lib/sysusers.d/shoal.conf, /usr/lib/tmpfiles.d/shoal.conf,
#   /etc/shoal/shoal.yaml (only if absent: your edits are kept).
# Afterwards put authority.pub and NAME.cert in /etc/shoal/cluster
# (see `shoal cluster issue`) and `systemctl enable --now shoal`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
binary=""; start=1
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary="$2"; shift 2 ;;
    --no-start) start=0; shift ;;
    *) echo "unknown option $1 (use --binary PATH, --no-start)" >&2; exit 2 ;;
  esac
done
[ "$(id -u)" -eq 0 ] || { echo "run as root" >&2; exit 1; }
if [ -z "$binary" ]; then
  "$root/scripts/setup.sh"
  # Static Swift runtime, agent code laid out together: the small footprint (README, "Memory").
  "$root/scripts/build-release.sh"
  binary="$root/.build-release/release/shoal"
fi
# The shared libraries the binary loads besides libc: a release build links the Swift runtime
# in, but takes libsodium, libzstd and SQLite from Debian (the .deb of `make deb` depends on the
# same packages). Installed when missing, so the binary starts on a bare Debian system.
runtime=(libsodium23 libzstd1 libsqlite3-0)
missing=()
for p in "${runtime[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing the runtime libraries: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    || { echo "could not install ${missing[*]}; install them, then run this again" >&2; exit 1; }
fi
if unresolved=$(ldd "$binary" 2>/dev/null | grep "not found"); then
  echo "$binary needs libraries this system lacks:" >&2; echo "$unresolved" >&2; exit 1
fi
install -m 0755 "$binary" /usr/local/bin/shoal
install -m 0644 "$root/deploy/shoal.service" /etc/systemd/system/shoal.service
install -D -m 0644 "$root/README.md" /usr/share/doc/shoal/README.md
install -D -m 0644 "$root/deploy/sysusers.d/shoal.conf" /usr/lib/sysusers.d/shoal.conf
install -D -m 0644 "$root/deploy/tmpfiles.d/shoal.conf" /usr/lib/tmpfiles.d/shoal.conf
install -d -m 0750 /etc/shoal
[ -e /etc/shoal/shoal.yaml ] || install -m 0640 "$root/config/shoal.yaml" /etc/shoal/shoal.yaml
systemd-sysusers /usr/lib/sysusers.d/shoal.conf
systemd-tmpfiles --create /usr/lib/tmpfiles.d/shoal.conf
chgrp shoal /etc/shoal /etc/shoal/shoal.yaml
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  if [ "$start" -eq 1 ]; then
    if [ -e /etc/shoal/cluster/authority.pub ]; then systemctl enable --now shoal
    else echo "installed; add /etc/shoal/cluster/authority.pub and a certificate, then: systemctl enable --now shoal"; fi
  fi
else
  echo "installed; systemd is not running here, so the service was not started"
fi
