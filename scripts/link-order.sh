#!/usr/bin/env bash
# Regenerates deploy/shoal.order and deploy/shoal-hot.ld: every function a running agent
# executes, which scripts/build-release.sh asks the linker to lay out first and together.
#
#   scripts/link-order.sh
#
# Profiles a release build linked without any order (so the result does not depend on the last
# one), writes the two files, then links the ordered release binary again.
# Runs a three-agent cluster on 127.0.61.1-3, the seed and one joiner under valgrind's callgrind,
# and walks it through what agents do: start, join, gossip, admin requests (members, info,
# metrics, monitor), a kill -9 seen as dead, a restart, a graceful leave, SIGTERM. Every function
# callgrind saw run is listed; then rounds of real agents under `perf record -e page-faults` add
# the code callgrind missed (scripts/link-order.py). Re-run it after large changes: functions it
# does not list still work, they are only laid out among the cold code, where each costs a
# resident page or more.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh" valgrind linux-perf
LINK_ORDER_NONE=1 "$root/scripts/build-release.sh"
binary=$root/.build-release/release/shoal
map=$root/.build-release/shoal.map
work=$(mktemp -d /tmp/shoal-order.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  [ -n "${LINK_ORDER_KEEP:-}" ] && echo "link-order: kept $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT
log() { echo "link-order: $*" >&2; }

# valgrind cannot read the toolchain's DWARF 5; the symbol table is all it needs.
strip --strip-debug -o "$work/shoal" "$binary"
B="$work/shoal"
"$B" cluster init --dir "$work/cluster" >/dev/null
agent() {  # agent N [WRAPPER...] -- starts node N of $B in the background, under WRAPPER if given
  local n=$1 join=()
  shift
  [ "$n" -gt 1 ] && join=(--join 127.0.61.1:7946)
  "$@" "$B" agent --name "node$n" --bind "127.0.61.$n:7946" --state-dir "$work/node$n" \
    --admin-socket "$work/node$n.sock" --cluster-dir "$work/cluster" --label role=profile "${join[@]}" \
    >>"$work/node$n.log" 2>&1 &
  pids+=($!)
  eval "pid$n=$!"
}
wait_for_socket() {  # wait_for_socket N SECONDS
  for _ in $(seq 1 "$(($2 * 10))"); do [ -S "$work/node$1.sock" ] && return 0; sleep 0.1; done
}
admin_requests() {  # what operators and scripts ask an agent, on nodes 1 and 2
  local n
  for n in 1 2; do
    "$B" members --socket "$work/node$n.sock" >/dev/null
    "$B" members --socket "$work/node$n.sock" --format json >/dev/null
    "$B" info --socket "$work/node$n.sock" >/dev/null
    "$B" info --socket "$work/node$n.sock" --format json >/dev/null
    curl -sf --unix-socket "$work/node$n.sock" http://localhost/v1/metrics >/dev/null || true
    curl -s --unix-socket "$work/node$n.sock" http://localhost/v1/nothing-here >/dev/null || true
    timeout 3 "$B" monitor --socket "$work/node$n.sock" >/dev/null 2>&1 || true
  done
}
status_of() {  # status_of NODE as seen by node1
  "$B" members --socket "$work/node1.sock" --format json 2>/dev/null \
    | python3 -c "import json,sys; print(next((m['status'] for m in json.load(sys.stdin) if m['name']=='$1'), 'none'))" \
    2>/dev/null || echo none
}
wait_for() {  # wait_for NODE STATUS SECONDS
  for _ in $(seq 1 "$(($3 * 2))"); do
    [ "$(status_of "$1")" = "$2" ] && return 0
    sleep 0.5
  done
  log "node1 never saw $1 $2"; exit 1
}

log "starting the seed and a joiner under callgrind (slow: about a minute)"
callgrind=(valgrind --tool=callgrind --demangle=no)
agent 1 "${callgrind[@]}" --callgrind-out-file="$work/callgrind.1.%p"
wait_for_socket 1 120
agent 2 "${callgrind[@]}" --callgrind-out-file="$work/callgrind.2.%p"
agent 3
wait_for node2 alive 120
wait_for node3 alive 60
log "admin requests"
admin_requests
log "kill -9 of node3, then a restart"
kill -KILL "$pid3"
wait_for node3 dead 90
agent 3
wait_for node3 alive 60
log "graceful leave of node3, steady gossip"
"$B" leave --socket "$work/node3.sock" >/dev/null
wait_for node3 left 60
sleep 20
log "SIGTERM of the profiled agents"
kill -TERM "$pid2"; sleep 5; kill -TERM "$pid1"
for _ in $(seq 1 120); do
  kill -0 "$pid1" 2>/dev/null || kill -0 "$pid2" 2>/dev/null || break
  sleep 0.5
done
python3 "$root/scripts/link-order.py" callgrind "$root/deploy" "$binary" "$map" "$work"/callgrind.*
"$root/scripts/build-release.sh"

# Callgrind misses some code (paths that only run at full speed, code it cannot name). Real
# agents of the ordered build, their page faults recorded by perf, show what still runs outside
# the hot section; each round adds those functions and links again, until none are left.
for round in 1 2 3 4 5; do
  B=$binary
  "$root/scripts/evict-page-cache" "$B"
  rm -rf "$work"/node* "$work"/faults.*
  pids=()
  agent 1 perf record -q -e page-faults -c 1 -d -o "$work/faults.1.data" --
  wait_for_socket 1 10
  agent 2 perf record -q -e page-faults -c 1 -d -o "$work/faults.2.data" --
  agent 3
  wait_for node3 alive 30
  admin_requests
  sleep 5
  kill -INT "$pid1" "$pid2" 2>/dev/null || true  # perf writes its data; the agents run on
  sleep 1
  pkill -TERM -f -- "--cluster-dir $work/cluster" || true
  for _ in $(seq 1 100); do pgrep -f -- "--cluster-dir $work/cluster" >/dev/null || break; sleep 0.1; done
  for n in 1 2; do perf script -i "$work/faults.$n.data" -F ip,dso,addr --show-mmap-events >"$work/faults.$n.txt" 2>/dev/null; done
  status=0
  python3 "$root/scripts/link-order.py" faults "$root/deploy" "$binary" "$map" "$work"/faults.*.txt || status=$?
  [ "$status" = 0 ] && break
  [ "$status" = 3 ] || { log "reading the page faults failed (status $status)"; exit 1; }
  log "round $round: linking again"
  "$root/scripts/build-release.sh" >/dev/null 2>&1
done
