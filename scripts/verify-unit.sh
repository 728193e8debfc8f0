#!/usr/bin/env bash
# Runs `systemd-analyze verify` on deploy/shoal.service. The unit names the installed
# binary path, so the check runs on a copy that points at the binary just built.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
binary=$(cd "$(dirname "${1:-$root/.build/debug/shoal}")" && pwd)/$(basename "${1:-shoal}")
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
sed "s|/usr/local/bin/shoal|$binary|g" "$root/deploy/shoal.service" > "$tmp/shoal.service"
if out=$(systemd-analyze verify "$tmp/shoal.service" 2>&1); then
  echo "systemd-analyze verify deploy/shoal.service: ok"
else
  echo "$out" >&2
  echo "systemd-analyze verify deploy/shoal.service: FAILED" >&2
  exit 1
fi
