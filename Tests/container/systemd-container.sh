#!/usr/bin/env bash
# The unit under a real systemd: a Debian bookworm root file system booted with systemd as PID 1
# (systemd-nspawn -b), Shoal installed in it by deploy/install.sh --binary ... --no-start, a key
# and certificate put in place as the README says, and a second agent on this host joined to it
# over the container's veth pair. Checks that
#   on a bare Debian system (the runtime libraries purged, in a container of its own that is not
#   booted and shares this host's network) install.sh installs them from Debian's mirror first;
#   the unit starts and is active only once the agent said READY=1 (Type=notify);
#   `shoal members` answers on /run/shoal/admin.sock and sees the host's agent;
#   the journal has no "Failed to set thread priority" (LimitNICE);
#   `systemctl stop shoal` with a `shoal monitor` open ends cleanly (Result=success, not a
#   SIGKILL after TimeoutStopSec), and the host's agent sees the node *left*, not dead;
#   it starts again and rejoins;
#   systemd-analyze security scores the unit (printed, with the limit it must stay under).
#
#   Tests/container/systemd-container.sh [PATH/TO/shoal]     (default: .build/debug/shoal)
#   Tests/container/systemd-container.sh --deb FILE.deb [PATH/TO/shoal]
#
# With --deb the container's agent comes from the package (dpkg -i, which also checks that its
# Depends are met by Debian packages alone) instead of install.sh; PATH/TO/shoal still runs the
# host's agent and the set-up.
#
# Needs root, debootstrap and systemd-nspawn (scripts/setup.sh installs them) and, the first
# time, Debian's package mirror: the root file system is built once into
# ${SHOAL_CONTAINER_CACHE:-/var/cache/shoal-test}/bookworm and booted read-only with a tmpfs
# overlay (--volatile=overlay), so the cache stays clean. A debug binary finds the Swift runtime
# through /opt/swift, bound read-only into the container. Without root it prints a skip line and
# exits 0, unless SHOAL_REQUIRE_CONTAINER=1. The last line is always
# `systemd container: N passed, M failed`.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
deb=""
if [ "${1:-}" = --deb ]; then deb=$(realpath "$2"); shift 2; fi
binary=$(realpath "${1:-$root/.build/debug/shoal}")
ct_shoal=/usr/local/bin/shoal
[ -n "$deb" ] && ct_shoal=/usr/bin/shoal
cache=${SHOAL_CONTAINER_CACHE:-/var/cache/shoal-test}
rootfs=$cache/bookworm
machine=shoal-ct
host_ip=10.231.0.1 ct_ip=10.231.0.2
passed=0 failed=0

say() { echo "systemd container: $*" >&2; }
if [ "$(id -u)" -ne 0 ] || ! command -v systemd-nspawn >/dev/null || ! command -v debootstrap >/dev/null; then
  say "needs root, systemd-nspawn and debootstrap"
  if [ "${SHOAL_REQUIRE_CONTAINER:-0}" = 1 ]; then echo "systemd container: 0 passed, 1 failed"; exit 1; fi
  echo "systemd container: 0 passed, 0 failed (skipped)"; exit 0
fi

# The root file system, once. Its runtime libraries are the ones deploy/install.sh and the .deb
# ask for (the booted container has no network, so they are put in here; the bare-install check
# purges them in its overlay and lets install.sh fetch them).
if [ ! -e "$rootfs/.complete" ]; then
  say "building $rootfs with debootstrap (once; about 2 minutes)"
  rm -rf "$rootfs.tmp"; mkdir -p "$cache"
  debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus,libsodium23,libzstd1,libsqlite3-0 \
    bookworm "$rootfs.tmp" http://deb.debian.org/debian >"$cache/debootstrap.log" 2>&1 \
    || { say "debootstrap failed, see $cache/debootstrap.log"; echo "systemd container: 0 passed, 1 failed"; exit 1; }
  rm -rf "$rootfs"; mv "$rootfs.tmp" "$rootfs"; touch "$rootfs/.complete"
fi

work=$(mktemp -d /tmp/shoal-container.XXXXXX)
nspawn_pid="" host_pid="" monitor_pid="" pid1=""
finish() {
  local rc=$?
  trap - EXIT INT TERM
  [ -n "$monitor_pid" ] && kill "$monitor_pid" 2>/dev/null || true
  [ -n "$pid1" ] && nsenter -t "$pid1" -m -u -i -n -p -- journalctl -b --no-pager >"$work/journal.txt" 2>&1 || true
  # SIGKILL of the container's PID 1 ends its whole PID namespace (and with it the veth pair);
  # killing only systemd-nspawn would leave the container running.
  [ -n "$pid1" ] && kill -KILL "$pid1" 2>/dev/null || true
  [ -n "$nspawn_pid" ] && { kill -KILL "$nspawn_pid" 2>/dev/null; wait "$nspawn_pid" 2>/dev/null; } || true
  [ -n "$host_pid" ] && { kill -KILL "$host_pid" 2>/dev/null; wait "$host_pid" 2>/dev/null; } || true
  [ $rc -ne 0 ] && [ $failed -eq 0 ] && failed=$((failed + 1))   # died outside a check
  if [ $failed -eq 0 ]; then rm -rf "$work"; else say "logs: $work (container journal in journal.txt)"; fi
  echo "systemd container: $passed passed, $failed failed"
  [ $failed -eq 0 ]
}
trap finish EXIT
trap 'exit 130' INT TERM

check() {  # check NAME COMMAND...: runs the command, counts it
  local name=$1; shift
  if "$@"; then passed=$((passed + 1)); say "ok   $name"
  else failed=$((failed + 1)); say "FAIL $name"; fi
}
now() { date +%s.%N; }
# until TIMEOUT_S MESSAGE COMMAND...: retries the command every 0.2 s; says MESSAGE on timeout.
until_true() {
  local timeout=$1 message=$2 start; shift 2; start=$(now)
  until "$@"; do
    if awk -v a="$start" -v b="$(now)" -v t="$timeout" 'BEGIN{exit !(b-a>=t)}'; then
      say "timed out after ${timeout}s: $message"; return 1
    fi
    sleep 0.2
  done
}

# Trust as the README sets it up: an authority, the container node's key and certificate.
"$binary" cluster init --dir "$work/authority" >/dev/null
"$binary" keygen --out "$work/ct.key" >/dev/null
"$binary" cluster issue --dir "$work/authority" --node-key "$work/ct.key.pub" --name ct >/dev/null
cp "$binary" "$work/shoal"   # /test/shoal inside
mkdir -p "$work/host-cluster"
cp "$work/authority/authority.pub" "$work/authority/authority.key" "$work/host-cluster/"
cat >"$work/shoal.yaml" <<EOF
name: ct
bind: "$ct_ip:7946"
retry_join: ["$host_ip:7946"]
bootstrap_expect: 2
EOF

# A bare Debian system, without the runtime libraries and with the host's network (Debian's
# mirror): install.sh must fetch them with apt-get before it installs the binary. Run in a
# container of its own, not booted, over the same read-only root file system and throw-away overlay.
bare_install() {
  systemd-nspawn -q -D "$rootfs" --volatile=overlay --keep-unit --register=no --machine="$machine-bare" \
    --bind-ro="$root":/src --bind-ro="$work":/test --bind-ro=/opt/swift --pipe -- /bin/sh -c '
      installed() { dpkg-query -W -f="\${Status}" "$1" 2>/dev/null | grep -q "install ok installed"; }
      dpkg --purge --force-depends libsodium23 libsqlite3-0 || exit 10
      ! installed libsodium23 && ! installed libsqlite3-0 || exit 11
      /src/deploy/install.sh --binary /test/shoal --no-start || exit 12
      installed libsodium23 && installed libsqlite3-0 || exit 13
      /usr/local/bin/shoal --help >/dev/null || exit 14' </dev/null >"$work/bare.txt" 2>&1 \
    || { say "bare install: exit $?; its output:"; tail -n 15 "$work/bare.txt" >&2; return 1; }
}
check "on a bare Debian system install.sh first installs libsodium23 and libsqlite3-0 with apt-get" bare_install

ip link delete "ve-$machine" 2>/dev/null || true   # left by a run that was itself killed
# Boot. The container's PID 1 is the systemd whose parent is systemd-nspawn.
systemd-nspawn -q -D "$rootfs" --volatile=overlay -b --keep-unit --register=no --machine="$machine" \
  --network-veth --bind-ro="$root":/src --bind-ro="$work":/test --bind-ro=/opt/swift \
  </dev/null >"$work/console.txt" 2>&1 &
nspawn_pid=$!
leader() { pgrep -P "$nspawn_pid" -x systemd; }
has_leader() { leader >/dev/null; }
until_true 30 "the container's systemd to start" has_leader
pid1=$(leader)
in_ct() { nsenter -t "$pid1" -m -u -i -n -p -- "$@"; }
booted() { in_ct systemctl is-system-running 2>/dev/null | grep -qx 'running\|degraded'; }
until_true 60 "the container to finish booting" booted

# The veth pair: ve-shoal-ct here, host0 inside.
veth=$(ip -o link | awk -F': ' '{print $2}' | sed 's/@.*//' | grep "^ve-$machine" | head -1)
ip addr add "$host_ip/24" dev "$veth"; ip link set "$veth" up
nsenter -t "$pid1" -n ip addr add "$ct_ip/24" dev host0
nsenter -t "$pid1" -n ip link set host0 up

# The second agent, on this host, certifying itself with the authority's key.
"$binary" agent --name host --bind "$host_ip:7946" --cluster-dir "$work/host-cluster" --state-dir "$work/host-state" \
  --admin-socket "$work/host.sock" --bootstrap-expect 2 --log-format text >"$work/host.log" 2>&1 &
host_pid=$!
status_of() {  # status_of NAME: the member's status as the host agent sees it
  timeout 5 "$binary" members --socket "$work/host.sock" --format json 2>/dev/null | python3 -c '
import json, sys
try: ms = json.load(sys.stdin)
except Exception: print("error"); sys.exit(0)
if isinstance(ms, dict): ms = ms.get("members", [])
print(next((m.get("status", "?") for m in ms if m.get("name") == sys.argv[1]), "absent"))' "$1"
}
host_sees() { [ "$(status_of "$1")" = "$2" ]; }

# Install as an operator would, then put the key, certificate and configuration in place.
if [ -n "$deb" ]; then
  cp "$deb" "$work/shoal.deb"
  check "dpkg -i of the .deb" in_ct dpkg -i /test/shoal.deb
else
  check "deploy/install.sh --binary ... --no-start" in_ct /src/deploy/install.sh --binary /test/shoal --no-start
fi
in_ct sh -c 'install -m 0640 -g shoal /test/shoal.yaml /etc/shoal/shoal.yaml &&
  install -m 0640 -g shoal /test/authority/authority.pub /test/authority/ct.cert /etc/shoal/cluster/ &&
  install -d -m 0700 -o shoal -g shoal /var/lib/shoal && install -m 0600 -o shoal -g shoal /test/ct.key /var/lib/shoal/node.key'

shown() { in_ct systemctl show shoal -p "$1" --value; }
started() { in_ct systemctl start shoal && [ "$(shown ActiveState)" = active ] && [ "$(shown Type)" = notify ]; }
# Bounded like the host side's: until_true cannot cut short a call that hangs.
ct_members() { timeout 10 nsenter -t "$pid1" -m -u -i -n -p -- "$ct_shoal" members --socket /run/shoal/admin.sock; }
ct_sees_host() { ct_members | grep -q 'host.*alive'; }
no_priority_error() { ! in_ct journalctl -u shoal -b --no-pager | grep -q 'set thread priority'; }
stopped_cleanly() { [ "$(shown Result)" = success ] && [ "$(shown ActiveState)" = inactive ]; }
monitor_connected() { nsenter -t "$pid1" -n ss -xH state established | grep -q /run/shoal/admin.sock; }
monitor_gone() { ! kill -0 "$monitor_pid" 2>/dev/null; }

check "systemctl start shoal: active, Type=notify" started
check "shoal members answers on /run/shoal/admin.sock" ct_members
check "the host's agent sees the container's node alive" until_true 30 "host sees ct alive" host_sees ct alive
check "the container's node sees the host's agent alive" until_true 30 "ct sees host alive" ct_sees_host
# LimitNICE=-4 is RLIMIT_NICE 24; systemd sets the closest value its own hard limit allows, and a
# sandbox without CAP_SYS_RESOURCE (this machine's) has a hard limit of 0 to give.
nice_limit() { awk '/^Max nice priority/ {print $5}' "/proc/$1/limits"; }
agent_pid=$(pgrep -f "^$ct_shoal agent" | while read -r p; do [ "$(readlink /proc/$p/ns/pid)" = "$(readlink /proc/$pid1/ns/pid)" ] && echo "$p"; done | head -1)
if [ "$(nice_limit "$pid1")" -ge 24 ]; then
  check "the agent runs with RLIMIT_NICE 24 (LimitNICE=-4)" [ "$(nice_limit "$agent_pid")" = 24 ]
  check "no 'Failed to set thread priority' in the journal" no_priority_error
else
  say "skip: the container's systemd may not raise RLIMIT_NICE above $(nice_limit "$pid1") here (no CAP_SYS_RESOURCE), so LimitNICE=-4 cannot take effect"
  check "the agent runs with the RLIMIT_NICE systemd could give ($(nice_limit "$pid1"))" [ "$(nice_limit "$agent_pid")" = "$(nice_limit "$pid1")" ]
  # What the unit asks for is still checkable: without it this branch would pass too.
  check "the unit asks for LimitNICE=-4 (RLIMIT_NICE 24)" [ "$(shown LimitNICE)" = 24 ]
fi
in_ct journalctl -u shoal -b --no-pager >"$work/shoal-journal.txt" 2>&1 || true

# Stop with a monitor open: the stream must end, the agent leave and exit before TimeoutStopSec.
in_ct "$ct_shoal" monitor --socket /run/shoal/admin.sock >"$work/monitor.txt" 2>&1 &
monitor_pid=$!
check "a shoal monitor is connected" until_true 10 "the monitor to connect" monitor_connected
start=$(now)
in_ct systemctl stop shoal
stop_seconds=$(awk -v a="$start" -v b="$(now)" 'BEGIN{printf "%.3f", b-a}')
say "systemctl stop with a monitor open took ${stop_seconds}s (TimeoutStopSec=20)"
check "stopped cleanly with a monitor open (Result=success, inactive)" stopped_cleanly
check "the monitor client ended with the agent" until_true 10 "the monitor client to exit" monitor_gone
check "the host's agent sees the node left, not dead" until_true 10 "host sees ct left" host_sees ct left

check "systemctl start again: active" started
check "the host's agent sees the node alive again" until_true 30 "host sees ct alive after restart" host_sees ct alive

score=$(in_ct systemd-analyze security shoal.service --no-pager 2>/dev/null | sed -n 's/.*Overall exposure level for shoal.service: \([0-9.]*\).*/\1/p')
say "systemd-analyze security: overall exposure $score"
check "systemd-analyze security scores at most 2.0" awk -v s="${score:-99}" 'BEGIN{exit !(s <= 2.0)}'

