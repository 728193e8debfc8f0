#!/usr/bin/env bash
# Installs the Debian packages that building and testing Shoal need, when missing
# (plus any named as arguments).
# As root it runs apt-get; otherwise it prints the exact command and fails, so that
# `make run` and `make test` work on a fresh machine and never half-work.
set -euo pipefail
packages=(
  pkg-config      # SwiftPM finds libsodium and libzstd through it
  libsodium-dev   # Ed25519, BLAKE2b, XChaCha20-Poly1305, X25519 (ShoalCrypto)
  libzstd-dev     # chunk and payload compression (ShoalCompression)
  libsqlite3-dev  # the chunk store's index (GRDB, ShoalAgent Objects)
  iproute2        # ip netns / veth for the namespace cluster harness
  iptables        # cutting links and dropping packets in cluster tests
  procps          # ps/pkill used by cluster scripts
  systemd         # systemd-analyze verify of deploy/shoal.service
  python3         # JSON helpers of the netns harness and the benchmarks
  debootstrap     # the root file system of the systemd container test (Tests/container)
  systemd-container  # systemd-nspawn boots it
  dpkg-dev        # dpkg-shlibdeps: the .deb's Depends (make deb)
)
# Extra packages for one target, e.g. `scripts/setup.sh serf` for the Serf benchmark.
packages+=("$@")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${missing[*]}" >&2
  echo "run: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
