#!/usr/bin/env bash
# Smoke test of real agents in network namespaces (deploy/netns/cluster.sh): three agents join,
# one is killed and detected dead, restarted and seen alive, one is isolated and detected dead,
# then reconnected and seen alive again; a partition is detected and heals by itself, silent and
# with sends that fail at the sender.
#
#   Tests/netns/netns-smoke.sh [PATH/TO/shoal]      (default: .build/debug/shoal)
#
# Needs root, iproute2, iptables and python3. Without root (or without ip/iptables) it prints a
# skip line and exits 0, unless SHOAL_REQUIRE_NETNS=1, when it fails. The cluster is always torn
# down at exit; logs stay in the work directory (printed) when a check fails.
# The last line is always `netns smoke: N passed, M failed`; the exit status is non-zero on failure.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cluster="$root/deploy/netns/cluster.sh"
binary=${1:-$root/.build/debug/shoal}

if [ "$(id -u)" -ne 0 ] || ! command -v ip >/dev/null || ! command -v iptables >/dev/null; then
  echo "netns smoke: needs root, ip and iptables" >&2
  if [ "${SHOAL_REQUIRE_NETNS:-0}" = 1 ]; then echo "netns smoke: 0 passed, 1 failed"; exit 1; fi
  echo "netns smoke: 0 passed, 0 failed (skipped)"; exit 0
fi
[ -x "$binary" ] || { echo "netns smoke: no shoal binary at '$binary'" >&2; echo "netns smoke: 0 passed, 1 failed"; exit 1; }

dir=$(mktemp -d /tmp/shoal-netns-smoke.XXXXXX)
passed=0 failed=0
c() { "$cluster" --dir "$dir" "$@"; }

finish() {
  local rc=$?
  trap - EXIT INT TERM
  c down >/dev/null 2>&1 || c down || true
  [ $rc -ne 0 ] && [ $failed -eq 0 ] && failed=$((failed + 1))   # died outside a check
  if [ $failed -eq 0 ]; then rm -rf "$dir"; else echo "agent logs: $dir/n*/agent.log" >&2; fi
  echo "netns smoke: $passed passed, $failed failed"
  [ $failed -eq 0 ]
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

check() {  # check DESCRIPTION COMMAND...
  local what=$1; shift
  local out
  if out=$("$@" 2>&1); then
    passed=$((passed + 1)); echo "ok   $what${out:+ ($(echo "$out" | tail -n 1))}"
  else
    failed=$((failed + 1)); echo "FAIL $what"; echo "$out" | sed 's/^/     /'
    return 1
  fi
}

# Each check depends on the ones before it, so the first failure ends the run (set -e).
# A clean slate even if an earlier run was interrupted before it could tear down.
c down >/dev/null 2>&1 || true

check "up 3 agents" c up 3 --binary "$binary" || exit 1
check "all three see 3 alive" c wait-converged 3 30 || exit 1

check "kill -9 n3" c kill 3
check "n1 sees n3 dead" c wait-status 1 n3 dead 30
check "n2 sees n3 dead" c wait-status 2 n3 dead 30
check "restart n3" c start 3
check "n1 sees n3 alive again" c wait-status 1 n3 alive 30

check "isolate n2" c isolate 2
check "n1 sees n2 dead" c wait-status 1 n2 dead 60
check "rejoin n2" c rejoin 2
# 15 s: a node whose own link was down must resume gossip at once (its UDP socket is reopened
# after the send errors), not wait for a 30 s re-probe of the dead.
check "n1 sees n2 alive again" c wait-status 1 n2 alive 15

check "partition {1,2} | {3}" c partition "1 2" "3"
check "n1 sees n3 dead across the partition" c wait-status 1 n3 dead 60
check "heal the partition" c heal-all
# 10 s: each side pings the members it declared dead for 30 s after, so a short partition merges
# in a second or two (it took 32 s when only the 30 s re-probe of the dead merged it).
check "n1 sees n3 alive after the heal" c wait-status 1 n3 alive 10
check "n3 sees n1 alive after the heal" c wait-status 3 n1 alive 10
# The holds below say n3 keeps what it had when the cut came: it must have all three alive
# then. (A suspicion raised across the silent partition can still be running when it heals;
# cut again before the refutation reaches n3, and n3 rightly declares its subject dead.)
check "all three see 3 alive after the heal" c wait-converged 3 15

# Sends across this cut fail at once (EPERM) while n1 and n2 still reach each other: their
# failures are evidence against n3's path, so n3 is declared dead; n3's every send fails, which
# says its own link is down, so it accuses nobody.
check "partition --failing {1,2} | {3}" c partition --failing "1 2" "3"
check "n1 sees n3 dead across the failing cut" c wait-status 1 n3 dead 60
check "n2 sees n3 dead across the failing cut" c wait-status 2 n3 dead 30
check "n3, whose every send fails, still holds n1 alive" c hold-status 3 n1 alive 10
check "n3 still holds n2 alive" c hold-status 3 n2 alive 3
check "heal the failing cut" c heal-all
check "n1 sees n3 alive after the failing cut heals" c wait-status 1 n3 alive 10

check "down" c down
