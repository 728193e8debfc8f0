#!/usr/bin/env bash
# A local Shoal cluster of N agents, each in its own network namespace, for fault-injection
# tests. Needs root, iproute2 (`ip`), iptables and python3 (for the JSON helpers).
#
# Topology: a hub namespace `shoal-hub` holds the bridge `shoalbr0`; node I lives in namespace
# `shoal-nI` with `eth0` = 10.77.0.(10+I)/24, a veth whose other end (`shoal-hI`) is a port of
# the bridge. Nothing is created in the host's own network namespace, so its networking is
# untouched; 10.77.0.0/24 exists only inside these namespaces. Agent I is named `nI` and runs
#   shoal agent --name nI --bind 10.77.0.(10+I):7946 --state-dir DIR/nI/state
#               --admin-socket DIR/nI/admin.sock --cluster-dir DIR/cluster --log-format text
#               [--join 10.77.0.11:7946 for I > 1] [extra agent args]
# with its pid in DIR/nI/pid and its output in DIR/nI/agent.log. DIR/cluster holds the one
# cluster authority (`shoal cluster init`); DIR/cluster.env remembers N, the binary and the args.
#
# Usage: deploy/netns/cluster.sh [--dir DIR] COMMAND [ARGS]
#   DIR defaults to $SHOAL_NETNS_DIR, else /tmp/shoal-netns. --dir may appear anywhere before `--`.
#
#   up N [--binary PATH] [--no-agents] [-- EXTRA AGENT ARGS]
#                           build the namespaces and start N agents (N <= 200). The binary
#                           defaults to $SHOAL_BINARY, else .build/release/shoal, else
#                           .build/debug/shoal. --no-agents builds only the network. If anything
#                           fails, everything built so far is torn down again.
#   down [--purge]          kill every process in the shoal-n* namespaces, delete them and the
#                           hub (bridge and veths go with them). Idempotent. Logs and state stay
#                           in DIR unless --purge.
#   status                  one line per node: name, address, pid, running|paused|stopped
#
#   Faults (iptables rules inside the node namespaces; the host is never touched):
#   cut I J / heal I J      drop / restore all traffic between nodes I and J, both directions,
#                           on arrival (sends succeed and vanish, as in a real network partition)
#   isolate I / rejoin I    take node I's own link down: its sends fail locally (EPERM) and
#                           nothing reaches it; restore with rejoin
#   partition [--failing] "1 2" "3 4"…
#                           cut every pair of nodes that are in different groups; with --failing
#                           the sends across the cut fail at the sender (OUTPUT drop: EPERM) while
#                           sends within a group succeed
#   heal-all                remove every cut, isolation and partition (not loss)
#   loss I PCT              drop PCT% of the packets node I receives (replaces earlier loss on I;
#                           PCT 0 removes it)
#   loss-all PCT / noloss-all
#
#   Processes:
#   pause I / resume I      SIGSTOP / SIGCONT agent I
#   kill I                  SIGKILL agent I (others should see it `dead`)
#   stop I                  SIGTERM agent I, wait for it to exit (others should see it `left`)
#   start I                 start agent I again with the same state dir and arguments; it joins
#                           10.77.0.11:7946 (node 1 joins 10.77.0.12:7946 instead)
#
#   Queries:
#   members I               shoal members --socket DIR/nI/admin.sock --format json
#   exec I CMD...           run CMD inside node I's namespace
#   wait-status I NAME STATUS[,STATUS...] TIMEOUT_S
#                           poll (every 0.2 s) until node I reports member NAME with one of the
#                           statuses; prints the seconds it took; exit 1 on timeout
#   wait-alive I COUNT TIMEOUT_S
#                           until node I reports at least COUNT members `alive`
#   wait-converged COUNT TIMEOUT_S
#                           until every running agent reports at least COUNT members `alive`
#   hold-status I NAME STATUS SECONDS
#                           poll for SECONDS that node I keeps reporting member NAME as STATUS;
#                           exit 1 at the first other answer
set -euo pipefail

HUB=shoal-hub
BRIDGE=shoalbr0
PORT=7946
SUBNET_PREFIX=10.77.0
MAX_NODES=200
root=$(cd "$(dirname "$0")/../.." && pwd)
DIR=${SHOAL_NETNS_DIR:-/tmp/shoal-netns}

die() { echo "cluster.sh: $*" >&2; exit 1; }
say() { echo "cluster.sh: $*" >&2; }

# ---------------------------------------------------------------- argument plumbing
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) [ $# -ge 2 ] || die "--dir needs a directory"; DIR=$2; shift 2 ;;
    --dir=*) DIR=${1#--dir=}; shift ;;
    --) args+=("$@"); break ;;
    *) args+=("$1"); shift ;;
  esac
done
set -- "${args[@]+"${args[@]}"}"
[ $# -ge 1 ] || { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
cmd=$1; shift

require_root() {
  [ "$(id -u)" -eq 0 ] || die "must run as root (network namespaces and iptables need CAP_NET_ADMIN)"
  command -v ip >/dev/null || die "'ip' not found: apt-get install iproute2"
  command -v iptables >/dev/null || die "'iptables' not found: apt-get install iptables"
}
need_python() { command -v python3 >/dev/null || die "python3 not found: apt-get install python3"; }

ns() { echo "shoal-n$1"; }
addr() { echo "$SUBNET_PREFIX.$((10 + $1))"; }
node_dir() { echo "$DIR/n$1"; }
in_ns() { local i=$1; shift; ip netns exec "$(ns "$i")" "$@"; }
ipt() { local i=$1; shift; in_ns "$i" iptables -w "$@"; }

load_env() {
  [ -f "$DIR/cluster.env" ] || die "no cluster in $DIR (run: $0 --dir $DIR up N)"
  # shellcheck source=/dev/null
  . "$DIR/cluster.env"
}
check_node() {
  [[ "$1" =~ ^[0-9]+$ ]] && [ "$1" -ge 1 ] && [ "$1" -le "$N" ] || die "no node '$1' (nodes are 1..$N)"
}
pid_of() { local f; f="$(node_dir "$1")/pid"; [ -f "$f" ] && cat "$f" || true; }
running() { local p; p=$(pid_of "$1"); [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }
proc_state() { awk '/^State:/ {print $2}' "/proc/$1/status" 2>/dev/null || true; }

default_binary() {
  if [ -n "${SHOAL_BINARY:-}" ]; then echo "$SHOAL_BINARY"
  elif [ -x "$root/.build/release/shoal" ]; then echo "$root/.build/release/shoal"
  else echo "$root/.build/debug/shoal"; fi
}

# ---------------------------------------------------------------- agents
start_agent() {  # start_agent I JOIN_ADDR...
  local i=$1; shift
  local d; d=$(node_dir "$i")
  mkdir -p "$d/state"
  local cmdline=("$BINARY" agent --name "n$i" --bind "$(addr "$i"):$PORT" --state-dir "$d/state"
    --admin-socket "$d/admin.sock" --cluster-dir "$DIR/cluster" --log-format text)
  local j; for j in "$@"; do cmdline+=(--join "$j"); done
  cmdline+=("${AGENT_ARGS[@]+"${AGENT_ARGS[@]}"}")
  rm -f "$d/pid" "$d/admin.sock"   # the socket of a killed agent would pass for a ready one
  echo "=== $(date '+%F %T') start: ${cmdline[*]}" >> "$d/agent.log"
  # The inner shell writes its own pid and then execs the agent, so the pid file names the agent.
  # setsid: the agent outlives this script and is not hit by the caller's Ctrl-C.
  setsid ip netns exec "$(ns "$i")" bash -c 'echo $$ > "$1"; shift; exec "$@"' _ "$d/pid" \
    "${cmdline[@]}" >> "$d/agent.log" 2>&1 < /dev/null &
  for _ in $(seq 50); do [ -s "$d/pid" ] && break; sleep 0.1; done
  [ -s "$d/pid" ] || die "agent n$i did not start; see $d/agent.log"
}

wait_socket() {  # wait until agent I's admin socket exists (or it died)
  local i=$1 d; d=$(node_dir "$i")
  for _ in $(seq 150); do
    [ -S "$d/admin.sock" ] && running "$i" && return 0
    running "$i" || { tail -n 20 "$d/agent.log" >&2; die "agent n$i exited during start-up; log: $d/agent.log"; }
    sleep 0.1
  done
  die "agent n$i has no admin socket after 15 s; log: $d/agent.log"
}

join_addrs_for() {  # where node I joins on start
  local i=$1
  if [ "$i" -gt 1 ]; then echo "$(addr 1):$PORT"
  elif [ "$N" -gt 1 ]; then echo "$(addr 2):$PORT"; fi
}

signal_node() {  # signal_node I SIGNAL
  local p; p=$(pid_of "$1")
  [ -n "$p" ] && kill -0 "$p" 2>/dev/null || die "agent n$1 is not running"
  kill -s "$2" "$p"
}

wait_exit() {  # wait_exit PID SECONDS
  local p=$1 n=$(( $2 * 10 ))
  for _ in $(seq "$n"); do kill -0 "$p" 2>/dev/null || return 0; sleep 0.1; done
  return 1
}

# ---------------------------------------------------------------- network
net_up() {
  ip netns add "$HUB"
  ip -n "$HUB" link set lo up
  ip -n "$HUB" link add "$BRIDGE" type bridge
  ip -n "$HUB" link set "$BRIDGE" up
  local i
  for i in $(seq "$N"); do
    ip netns add "$(ns "$i")"
    ip -n "$HUB" link add "shoal-h$i" type veth peer name eth0 netns "$(ns "$i")"
    ip -n "$HUB" link set "shoal-h$i" master "$BRIDGE" up
    ip -n "$(ns "$i")" link set lo up
    ip -n "$(ns "$i")" addr add "$(addr "$i")/24" dev eth0
    ip -n "$(ns "$i")" link set eth0 up
    # Chains the fault commands fill; emptied by heal-all / noloss-all.
    ipt "$i" -N SHOAL_IN; ipt "$i" -N SHOAL_OUT; ipt "$i" -N SHOAL_LOSS
    ipt "$i" -A INPUT -j SHOAL_IN
    ipt "$i" -A INPUT -j SHOAL_LOSS
    ipt "$i" -A OUTPUT -j SHOAL_OUT
  done
}

rule() {  # rule add|del NODE CHAIN RULE... : idempotent add / delete
  local op=$1 i=$2 chain=$3; shift 3
  if ipt "$i" -C "$chain" "$@" 2>/dev/null; then
    [ "$op" = del ] && ipt "$i" -D "$chain" "$@"
  else
    [ "$op" = add ] && ipt "$i" -A "$chain" "$@"
  fi
  return 0
}

cut_pair() {  # cut_pair add|del I J
  # Dropped on arrival only: the sender's send succeeds and the packet vanishes on the way, as in
  # a real network partition. (A local OUTPUT drop would fail the send with EPERM, which an agent
  # rightly takes as its own link being down: that is `isolate`.)
  local op=$1 i=$2 j=$3
  [ "$i" != "$j" ] || die "cannot cut node $i from itself"
  rule "$op" "$i" SHOAL_IN -s "$(addr "$j")" -j DROP
  rule "$op" "$j" SHOAL_IN -s "$(addr "$i")" -j DROP
}

set_loss() {  # set_loss I PCT
  local i=$1 pct=$2
  [[ "$pct" =~ ^[0-9]+([.][0-9]+)?$ ]] && awk -v p="$pct" 'BEGIN{exit !(p>=0 && p<=100)}' \
    || die "loss must be a percentage 0..100, not '$pct'"
  ipt "$i" -F SHOAL_LOSS
  if awk -v p="$pct" 'BEGIN{exit !(p>0)}'; then
    ipt "$i" -A SHOAL_LOSS -i eth0 -m statistic --mode random \
      --probability "$(awk -v p="$pct" 'BEGIN{printf "%.4f", p/100}')" -j DROP
  fi
}

do_down() {
  local n p pids=()
  # Agents first (from the pid files, then anything else left in our namespaces).
  for n in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^shoal-n[0-9]+$' || true); do
    for p in $(ip netns pids "$n" 2>/dev/null || true); do pids+=("$p"); done
  done
  # (Only processes inside our namespaces: a stale pid file never gets an unrelated process killed.)
  if [ ${#pids[@]} -gt 0 ]; then
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; kill -CONT "$p" 2>/dev/null || true; done
    for _ in $(seq 50); do
      local alive=0; for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
      [ $alive -eq 0 ] && break; sleep 0.1
    done
    for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  fi
  rm -f "$DIR"/n*/pid
  # Deleting a node namespace deletes its veth pair; deleting the hub deletes the bridge.
  for n in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^shoal-n[0-9]+$' || true); do
    ip netns del "$n" 2>/dev/null || say "could not delete namespace $n"
  done
  if ip netns list 2>/dev/null | awk '{print $1}' | grep -qx "$HUB"; then
    ip netns del "$HUB" || say "could not delete namespace $HUB"
  fi
  rm -f "$DIR/cluster.env"
}

# ---------------------------------------------------------------- JSON helpers
members_json() {  # members_json I -> JSON on stdout (fails if the agent does not answer)
  # timeout: a paused (SIGSTOPped) agent accepts the connection but never answers.
  timeout 5 "$BINARY" members --socket "$(node_dir "$1")/admin.sock" --format json 2>/dev/null
}
# status_of NAME < json : prints the member's status, or "absent"
status_of() {
  python3 -c '
import json, sys
try: ms = json.load(sys.stdin)
except Exception: print("error"); sys.exit(0)
if isinstance(ms, dict): ms = ms.get("members", [])
print(next((m.get("status", "?") for m in ms if m.get("name") == sys.argv[1]), "absent"))' "$1"
}
alive_count() {
  python3 -c '
import json, sys
try: ms = json.load(sys.stdin)
except Exception: print(-1); sys.exit(0)
if isinstance(ms, dict): ms = ms.get("members", [])
print(sum(1 for m in ms if m.get("status") == "alive"))'
}
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}'; }
expired() { awk -v a="$1" -v b="$(now)" -v t="$2" 'BEGIN{exit !(b-a>=t)}'; }

# ---------------------------------------------------------------- commands
case "$cmd" in
  up)
    require_root
    [ $# -ge 1 ] && [[ "$1" =~ ^[0-9]+$ ]] && [ "$1" -ge 1 ] && [ "$1" -le $MAX_NODES ] \
      || die "usage: up N [--binary PATH] [--no-agents] [-- extra agent args]  (1 <= N <= $MAX_NODES)"
    N=$1; shift
    BINARY=$(default_binary); agents=1; AGENT_ARGS=()
    while [ $# -gt 0 ]; do
      case "$1" in
        --binary) [ $# -ge 2 ] || die "--binary needs a path"; BINARY=$2; shift 2 ;;
        --no-agents) agents=0; shift ;;
        --) shift; AGENT_ARGS=("$@"); break ;;
        *) die "up: unknown option '$1'" ;;
      esac
    done
    if [ $agents -eq 1 ]; then
      [ -x "$BINARY" ] || die "no shoal binary at '$BINARY' (build it, or pass --binary PATH)"
      BINARY=$(cd "$(dirname "$BINARY")" && pwd)/$(basename "$BINARY")
      need_python
    fi
    if ip netns list | awk '{print $1}' | grep -qE "^($HUB|shoal-n[0-9]+)$"; then
      die "a shoal netns cluster already exists (ip netns list); run: $0 --dir $DIR down"
    fi
    mkdir -p "$DIR"; DIR=$(cd "$DIR" && pwd)
    # shellcheck disable=SC2154  # rc is assigned inside the trap string
    trap 'rc=$?; if [ $rc -ne 0 ]; then say "up failed (exit $rc); tearing down"; do_down; fi' EXIT
    net_up
    { printf 'N=%q\nBINARY=%q\nAGENTS=%q\nAGENT_ARGS=(' "$N" "$BINARY" "$agents"
      [ ${#AGENT_ARGS[@]} -gt 0 ] && printf '%q ' "${AGENT_ARGS[@]}"; printf ')\n'; } > "$DIR/cluster.env"
    if [ $agents -eq 1 ]; then
      if [ ! -f "$DIR/cluster/authority.key" ]; then
        rm -rf "$DIR/cluster"
        "$BINARY" cluster init --dir "$DIR/cluster" >/dev/null
      fi
      for i in $(seq "$N"); do
        rm -rf "$(node_dir "$i")"; mkdir -p "$(node_dir "$i")"
        if [ "$i" -eq 1 ]; then start_agent 1; wait_socket 1
        else start_agent "$i" "$(addr 1):$PORT"; fi
      done
      for i in $(seq 2 "$N"); do wait_socket "$i"; done
    fi
    trap - EXIT
    echo "cluster up: $N node(s) in namespaces shoal-n1..shoal-n$N, $(addr 1)..$(addr "$N"), dir $DIR"
    ;;

  down)
    require_root
    purge=0; [ "${1:-}" = --purge ] && purge=1
    do_down
    [ $purge -eq 1 ] && rm -rf "$DIR"
    left=$(ip netns list | awk '{print $1}' | grep -E "^($HUB|shoal-n[0-9]+)$" || true)
    [ -z "$left" ] || die "namespaces left behind: $left"
    echo "cluster down"
    ;;

  status)
    load_env
    for i in $(seq "$N"); do
      p=$(pid_of "$i"); st=stopped
      if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then
        case "$(proc_state "$p")" in T|t) st=paused ;; *) st=running ;; esac
      fi
      printf 'n%-4s %-12s pid %-8s %s\n' "$i" "$(addr "$i")" "${p:--}" "$st"
    done
    ;;

  cut|heal)
    require_root; load_env
    [ $# -eq 2 ] || die "usage: $cmd I J"
    check_node "$1"; check_node "$2"
    cut_pair "$([ "$cmd" = cut ] && echo add || echo del)" "$1" "$2"
    ;;

  isolate|rejoin)
    require_root; load_env
    [ $# -eq 1 ] || die "usage: $cmd I"; check_node "$1"
    op=$([ "$cmd" = isolate ] && echo add || echo del)
    rule "$op" "$1" SHOAL_IN -i eth0 -j DROP
    rule "$op" "$1" SHOAL_OUT -o eth0 -j DROP
    ;;

  partition)
    require_root; load_env
    failing=0
    [ "${1:-}" = --failing ] && { failing=1; shift; }
    [ $# -ge 2 ] || die 'usage: partition [--failing] "1 2 3" "4 5" [...]'
    groups=("$@")
    if [ "$failing" = 0 ]; then
      for ((a = 0; a < ${#groups[@]}; a++)); do
        for ((b = a + 1; b < ${#groups[@]}; b++)); do
          for i in ${groups[a]}; do
            check_node "$i"
            for j in ${groups[b]}; do check_node "$j"; cut_pair add "$i" "$j"; done
          done
        done
      done
    else
      # Each node's rules go in at once (iptables-restore), smallest group first. Rule by rule,
      # a node would for a moment fail its sends to one member while still trading acks with
      # another, which is rightly evidence against the first, and the cut would not be the
      # clean one asked for.
      order=$(for ((a = 0; a < ${#groups[@]}; a++)); do
        echo "$(wc -w <<<"${groups[a]}") $a"; done | sort -n | cut -d' ' -f2)
      for a in $order; do
        for i in ${groups[a]}; do
          check_node "$i"
          rules="*filter"
          for ((b = 0; b < ${#groups[@]}; b++)); do
            [ "$b" = "$a" ] && continue
            for j in ${groups[b]}; do
              check_node "$j"
              ipt "$i" -C SHOAL_OUT -d "$(addr "$j")" -j DROP 2>/dev/null \
                || rules+=$'\n'"-A SHOAL_OUT -d $(addr "$j") -j DROP"
            done
          done
          in_ns "$i" iptables-restore -w --noflush <<<"$rules"$'\nCOMMIT'
        done
      done
    fi
    ;;

  heal-all)
    require_root; load_env
    for i in $(seq "$N"); do ipt "$i" -F SHOAL_IN; ipt "$i" -F SHOAL_OUT; done
    ;;

  loss)
    require_root; load_env
    [ $# -eq 2 ] || die "usage: loss I PCT"; check_node "$1"; set_loss "$1" "$2"
    ;;
  loss-all)
    require_root; load_env
    [ $# -eq 1 ] || die "usage: loss-all PCT"
    for i in $(seq "$N"); do set_loss "$i" "$1"; done
    ;;
  noloss-all)
    require_root; load_env
    for i in $(seq "$N"); do ipt "$i" -F SHOAL_LOSS; done
    ;;

  pause|resume|kill)
    require_root; load_env
    [ $# -eq 1 ] || die "usage: $cmd I"; check_node "$1"
    case "$cmd" in
      pause) signal_node "$1" STOP ;;
      resume) signal_node "$1" CONT ;;
      kill)
        p=$(pid_of "$1"); signal_node "$1" KILL
        wait_exit "$p" 5 || die "agent n$1 (pid $p) still there 5 s after SIGKILL"
        rm -f "$(node_dir "$1")/pid" ;;
    esac
    ;;

  stop)
    require_root; load_env
    [ $# -eq 1 ] || die "usage: stop I"; check_node "$1"
    p=$(pid_of "$1"); signal_node "$1" TERM; kill -CONT "$p" 2>/dev/null || true
    wait_exit "$p" 15 || die "agent n$1 (pid $p) did not exit within 15 s of SIGTERM"
    rm -f "$(node_dir "$1")/pid"
    ;;

  start)
    require_root; load_env
    [ $# -eq 1 ] || die "usage: start I"; check_node "$1"
    [ "$AGENTS" = 1 ] || die "cluster was brought up with --no-agents"
    running "$1" && die "agent n$1 is already running (pid $(pid_of "$1"))"
    # shellcheck disable=SC2046
    start_agent "$1" $(join_addrs_for "$1")
    wait_socket "$1"
    ;;

  members)
    load_env
    [ $# -eq 1 ] || die "usage: members I"; check_node "$1"
    exec "$BINARY" members --socket "$(node_dir "$1")/admin.sock" --format json
    ;;

  exec)
    require_root; load_env
    [ $# -ge 2 ] || die "usage: exec I CMD [ARGS...]"; check_node "$1"
    i=$1; shift
    exec ip netns exec "$(ns "$i")" "$@"
    ;;

  wait-status)
    load_env; need_python
    [ $# -eq 4 ] || die "usage: wait-status I NAME STATUS[,STATUS...] TIMEOUT_S"
    check_node "$1"; i=$1 name=$2 want=",$3," timeout=$4
    t0=$(now); last=none
    while :; do
      last=$(members_json "$i" | status_of "$name") || true
      [[ "$want" == *",$last,"* ]] && { echo "n$i sees $name $last after $(since "$t0") s"; exit 0; }
      expired "$t0" "$timeout" && break
      sleep 0.2
    done
    say "timeout after ${timeout} s: n$i reports $name as '$last', wanted ${3}"
    members_json "$i" >&2 || say "(n$i does not answer)"
    exit 1
    ;;

  hold-status)
    load_env; need_python
    [ $# -eq 4 ] || die "usage: hold-status I NAME STATUS SECONDS"
    check_node "$1"; i=$1 name=$2 want=$3 seconds=$4
    t0=$(now)
    while ! expired "$t0" "$seconds"; do
      last=$(members_json "$i" | status_of "$name") || true
      if [ "$last" != "$want" ]; then
        say "after $(since "$t0") s: n$i reports $name as '$last', wanted it to stay $want"
        members_json "$i" >&2 || say "(n$i does not answer)"
        exit 1
      fi
      sleep 0.2
    done
    echo "n$i kept $name $want for $seconds s"
    ;;

  wait-alive)
    load_env; need_python
    [ $# -eq 3 ] || die "usage: wait-alive I COUNT TIMEOUT_S"
    check_node "$1"; i=$1 count=$2 timeout=$3
    t0=$(now); got=-1
    while :; do
      got=$(members_json "$i" | alive_count) || true
      [ "${got:--1}" -ge "$count" ] && { echo "n$i sees $got alive after $(since "$t0") s"; exit 0; }
      expired "$t0" "$timeout" && break
      sleep 0.2
    done
    say "timeout after ${timeout} s: n$i sees $got alive, wanted $count"
    exit 1
    ;;

  wait-converged)
    load_env; need_python
    [ $# -eq 2 ] || die "usage: wait-converged COUNT TIMEOUT_S"
    count=$1 timeout=$2; t0=$(now)
    while :; do
      ok=1 report="" answered=0
      for i in $(seq "$N"); do
        running "$i" || continue
        got=$(members_json "$i" | alive_count) || true
        report+=" n$i=${got:--1}"
        [ "${got:--1}" -ge 0 ] && answered=$((answered + 1))
        [ "${got:--1}" -ge "$count" ] || ok=0
      done
      # With no agent answering there is nothing converged (every agent may have died).
      [ $answered -gt 0 ] || ok=0
      [ $ok -eq 1 ] && { echo "all running agents see >= $count alive after $(since "$t0") s"; exit 0; }
      expired "$t0" "$timeout" && break
      sleep 0.2
    done
    say "timeout after ${timeout} s; alive counts:$report (wanted $count)"
    exit 1
    ;;

  *) die "unknown command '$cmd' (see the header of $0)" ;;
esac
