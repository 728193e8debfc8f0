#!/usr/bin/env bash
# Membership benchmark: Shoal against HashiCorp Serf, same number of agents, same machine, one run.
#
#   bench/membership.sh [--sizes "10 50"] [--binary PATH] [--loss-minutes M] [--only shoal|serf]
#                       [--idle-seconds S] [--profile lan|wan|local] [--keep]
#
# Needs root (iptables byte counters and loss rules), iptables and a Shoal
# binary (default: $SHOAL_BINARY, else .build-release/release/shoal from scripts/build-release.sh,
# else .build/debug/shoal). scripts/setup.sh installs what else it needs when missing: the build's
# packages, python3-msgpack, and Debian's serf unless --only shoal.
#
# Every agent has its own loopback address: Shoal agent i binds 127.0.1.i:7946 (admin socket in the
# work directory), Serf agent i binds 127.0.2.i:7946 with -rpc-addr 127.0.2.i:7373. Agent 1 is the
# seed; the others start with --join / -join to it. For each size the two systems run one after the
# other (Serf, then Shoal), so neither competes with the other for CPU, and for each we measure:
#   join convergence  from launching agent 1 (the others are launched as soon as it answers) until
#                     every agent reports N members alive; polled every 0.1 s;
#   idle RSS          mean VmRSS (/proc/PID/status) per agent after the idle window, and RssAnon,
#                     the private part of it (each binary is dropped from the page cache first,
#                     so both load from disk as after a boot);
#   idle CPU          mean (utime+stime) per agent over an idle window (default 20 s), % of a core;
#   idle bytes/s      mean bytes sent per agent per second over the same window, from per-agent
#                     iptables counters on OUTPUT -o lo (IP packet bytes; Serf RPC replies excluded);
#   false deaths      (only with --loss-minutes M > 0; the README target is 10) 10% random drop of
#                     packets from the agents' addresses on INPUT -i lo for M minutes, no agent
#                     killed; counts members ever reported dead (Shoal) / failed (Serf), as distinct
#                     (observer, member) pairs; polled about once a second;
#   failure detection SIGKILL the last agent; time until every survivor reports it dead / failed.
# Then a table: Shoal, Serf, Shoal/Serf and the targets (detection ratio <= 0.6, memory ratio <=
# 1.0, zero false deaths). Shoal runs with --profile lan, comparable to Serf's default LAN profile.
#
# Polling asks each agent from one Python process, 8 at a time, over the API its CLI uses (Serf's
# msgpack RPC on 7373, Shoal's GET /v1/members on the admin socket), so neither system pays for a
# CLI start-up per poll (a `shoal members` is 18 ms of CPU, 50 of them a round); each time has a
# resolution of one polling round (~0.1 s). Everything started here and
# every iptables rule added here is removed on exit, including Ctrl-C.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
sizes="10 50"; binary=""; loss_minutes=0; only=both; idle_seconds=20; profile=lan; keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) sizes=$2; shift 2 ;;
    --binary) binary=$2; shift 2 ;;
    --loss-minutes) loss_minutes=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --idle-seconds) idle_seconds=$2; shift 2 ;;
    --profile) profile=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "membership.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done

die() { echo "membership.sh: $*" >&2; exit 1; }
. "$root/bench/common.sh"
log() { echo "[$(date +%T)] $*" >&2; }

[ "$(id -u)" -eq 0 ] || die "must run as root (iptables counters and loss rules)"
for n in $sizes; do
  [[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -ge 2 ] && [ "$n" -le 250 ] || die "sizes must be 2..250, not '$n'"
done
[[ "$loss_minutes" =~ ^[0-9]+([.][0-9]+)?$ ]] || die "--loss-minutes must be a number"
case "$only" in both|shoal|serf) ;; *) die "--only must be shoal or serf" ;; esac
systems=()
[ "$only" != shoal ] && systems+=(serf)
[ "$only" != serf ] && systems+=(shoal)
# The poller speaks each system's API itself (Serf's RPC is msgpack): Debian's python3-msgpack,
# so Debian's python3 runs it even where another python3 comes first on PATH. Serf is Debian's
# package too, installed with them when this run measures it.
packages=(python3-msgpack)
[ "${systems[0]}" = serf ] && packages+=(serf)
"$root/scripts/setup.sh" "${packages[@]}" >&2
py=/usr/bin/python3
"$py" -c "import msgpack" 2>/dev/null || die "$py cannot import msgpack after scripts/setup.sh python3-msgpack"
command -v iptables >/dev/null || die "'iptables' not on PATH after scripts/setup.sh"
if [ "${systems[0]}" = serf ]; then command -v serf >/dev/null || die "'serf' not on PATH after scripts/setup.sh serf"; fi
if [ "$only" != serf ]; then
  find_shoal_binary
fi

# One run at a time: the iptables chains below have fixed names.
hold_bench_lock membership

work=$(mktemp -d /tmp/shoal-bench.XXXXXX)
ACCT=SHOALBENCH_ACCT
LOSS=SHOALBENCH_LOSS
pids=()
CLK_TCK=$(getconf CLK_TCK)

# ---------------------------------------------------------------- cleanup
stop_agents() {
  local p t
  [ ${#pids[@]} -gt 0 ] || return 0
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; kill -CONT "$p" 2>/dev/null || true; done
  for t in $(seq 50); do
    local alive=0; for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ $alive -eq 0 ] && break; sleep 0.1
  done
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  for t in $(seq 50); do
    local alive=0; for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ $alive -eq 0 ] && break; sleep 0.1
  done
  pids=()
}
remove_chain() {  # remove_chain BUILTIN CHAIN JUMP-MATCH...
  local builtin=$1 chain=$2; shift 2
  while iptables -w -C "$builtin" "$@" -j "$chain" 2>/dev/null; do iptables -w -D "$builtin" "$@" -j "$chain"; done
  if iptables -w -nL "$chain" >/dev/null 2>&1; then iptables -w -F "$chain"; iptables -w -X "$chain"; fi
}
loss_off() { remove_chain INPUT "$LOSS" -i lo; }
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_agents
  remove_chain OUTPUT "$ACCT" -o lo
  loss_off
  if [ $keep -eq 1 ] || [ $rc -ne 0 ]; then echo "logs kept in $work" >&2; else rm -rf "$work"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- poller
cat > "$work/poll.py" <<'PY'
import json, os, signal, subprocess, sys, time
from concurrent.futures import ThreadPoolExecutor

system, n, work, binary = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
mode, rest = sys.argv[5], sys.argv[6:]

import http.client, socket
import msgpack

class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost", timeout=5)
        self.path = path
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(5)
        self.sock.connect(self.path)

def shoal_members(i):
    """GET /v1/members on agent i's admin socket: [{"name", "status", ...}]."""
    conn = UnixHTTPConnection(f"{work}/shoal/{i}/admin.sock")
    try:
        conn.request("GET", "/v1/members")
        response = conn.getresponse()
        if response.status != 200:
            raise OSError(f"HTTP {response.status}")
        return [(m["name"], m["status"]) for m in json.loads(response.read())]
    finally:
        conn.close()

def serf_members(i):
    """Serf's RPC (msgpack over TCP, what `serf members` speaks): handshake, then members."""
    with socket.create_connection((f"127.0.2.{i}", 7373), timeout=5) as s:
        s.sendall(msgpack.packb({"Command": "handshake", "Seq": 0}) + msgpack.packb({"Version": 1})
                  + msgpack.packb({"Command": "members", "Seq": 1}))
        unpacker = msgpack.Unpacker(raw=False, unicode_errors="surrogateescape")
        replies = []
        while len(replies) < 3:   # handshake header, members header, members body
            data = s.recv(1 << 16)
            if not data:
                raise OSError("serf closed the RPC connection")
            unpacker.feed(data)
            replies.extend(unpacker)
        for header in replies[:2]:
            if header.get("Error"):
                raise OSError(header["Error"])
        return [(m["Name"], m["Status"]) for m in replies[2]["Members"]]

def members(i):
    """{name: status} as agent i reports it, or None when it does not answer. Asked in this
    process, over each agent's own API, so the polling costs neither system a CLI start-up."""
    try:
        ms = serf_members(i) if system == "serf" else shoal_members(i)
    except Exception:
        return None
    return {name: "dead" if status == "failed" else status for name, status in ms}

pool = ThreadPoolExecutor(max_workers=min(8, n))

def poll_until(agents, ok, t0, timeout):
    """Polls the agents in rounds until ok(members) holds for each; returns the elapsed time at
    which the last one was first seen satisfied, or None on timeout."""
    pending, done_at = set(agents), {}
    while pending:
        if time.time() - t0 > timeout:
            return None, pending
        futs = {i: pool.submit(members, i) for i in sorted(pending)}
        for i, f in futs.items():
            st = f.result()
            if st is not None and ok(st):
                done_at[i] = time.time() - t0
                pending.discard(i)
        if pending:
            time.sleep(0.1)
    return max(done_at.values()), set()

if mode == "ready":            # ready I TIMEOUT: agent I answers
    i, timeout = int(rest[0]), float(rest[1]); t0 = time.time()
    while time.time() - t0 < timeout:
        if members(i) is not None: sys.exit(0)
        time.sleep(0.1)
    sys.exit(1)

if mode == "converge":         # converge T0 TIMEOUT: everyone sees n alive
    t0, timeout = float(rest[0]), float(rest[1])
    alive = lambda st: sum(1 for s in st.values() if s == "alive") >= n
    t, left = poll_until(range(1, n + 1), alive, t0, timeout)
    print("%.2f" % t if t is not None else "timeout")
    if t is None: print(f"not converged: agents {sorted(left)}", file=sys.stderr)

elif mode == "detect":         # detect VICTIM_INDEX VICTIM_PID TIMEOUT: kill -9, everyone sees dead
    v, pid, timeout = int(rest[0]), int(rest[1]), float(rest[2])
    survivors = [i for i in range(1, n + 1) if i != v]
    t0 = time.time()
    os.kill(pid, signal.SIGKILL)
    t, left = poll_until(survivors, lambda st: st.get(f"n{v}") == "dead", t0, timeout)
    print("%.2f" % t if t is not None else "timeout")
    if t is None: print(f"agents still not reporting n{v} dead: {sorted(left)}", file=sys.stderr)

elif mode == "soak":           # soak SECONDS: count (observer, member) pairs ever reported dead
    seconds = float(rest[0]); t0 = time.time(); seen = set(); suspects = set(); rounds = 0
    while time.time() - t0 < seconds:
        r0 = time.time()
        res = list(pool.map(members, range(1, n + 1)))
        rounds += 1
        for i, st in enumerate(res, 1):
            for name, s in (st or {}).items():
                if s == "dead" and (i, name) not in seen:
                    seen.add((i, name))
                    print(f"  false death: n{i} reports {name} dead at {time.time()-t0:.0f} s", file=sys.stderr)
                if s == "suspect": suspects.add((i, name))
        time.sleep(max(0.0, 1.0 - (time.time() - r0)))
    print(len(seen))
    print(f"  soak: {rounds} polling rounds, {len(seen)} false-death reports, "
          f"{len({m for _, m in seen})} distinct members, {len(suspects)} suspect sightings", file=sys.stderr)
PY
poll() { "$py" "$work/poll.py" "$1" "$2" "$work" "${binary:-none}" "${@:3}"; }

# ---------------------------------------------------------------- agents
ip_of() { [ "$1" = shoal ] && echo "127.0.1.$2" || echo "127.0.2.$2"; }

start_agent() {  # start_agent SYSTEM I -> appends the pid to pids and to $work/SYSTEM/I/pid
  local sys=$1 i=$2 d="$work/$1/$2" a; a=$(ip_of "$1" "$2")
  mkdir -p "$d"
  if [ "$sys" = serf ]; then
    local join=(); [ "$i" -gt 1 ] && join=(-join "127.0.2.1:7946")
    serf agent -node "n$i" -bind "$a:7946" -rpc-addr "$a:7373" "${join[@]+"${join[@]}"}" \
      > "$d/agent.log" 2>&1 < /dev/null 9>&- &
  else
    local join=(); [ "$i" -gt 1 ] && join=(--join "127.0.1.1:7946")
    "$binary" agent --name "n$i" --bind "$a:7946" --state-dir "$d/state" --admin-socket "$d/admin.sock" \
      --cluster-dir "$work/shoal/cluster" --profile "$profile" --log-format text \
      "${join[@]+"${join[@]}"}" > "$d/agent.log" 2>&1 < /dev/null 9>&- &
  fi
  pids+=($!); echo $! > "$d/pid"
  disown $!   # no "Killed" job notices when the detection test SIGKILLs one
}

acct_setup() {  # per-agent byte counters for packets sent on loopback
  remove_chain OUTPUT "$ACCT" -o lo
  iptables -w -N "$ACCT"
  iptables -w -I OUTPUT -o lo -j "$ACCT"
  iptables -w -A "$ACCT" -p tcp --sport 7373 -j RETURN   # Serf RPC replies to our polling
  local n=$1 i
  for i in $(seq "$n"); do
    iptables -w -A "$ACCT" -s "127.0.1.$i" -j RETURN
    iptables -w -A "$ACCT" -s "127.0.2.$i" -j RETURN
  done
}
acct_bytes() {  # acct_bytes PREFIX N -> total bytes counted for PREFIX.1..N
  iptables -w -nvxL "$ACCT" | awk -v pre="$1." -v n="$2" '
    index($8, pre) == 1 { k = substr($8, length(pre) + 1); if (k + 0 >= 1 && k + 0 <= n && $8 == pre k) s += $2 }
    END { printf "%d\n", s }'
}
cpu_ticks() {
  local p s=0 v
  for p in "$@"; do
    v=$(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null) || die "agent pid $p exited while idle"
    s=$(( s + v ))
  done
  echo $s
}
rss_kb() {  # rss_kb FIELD PID... -- sum of a /proc/PID/status field (VmRSS, RssAnon)
  local field=$1 p s=0 v; shift
  for p in "$@"; do
    v=$(awk -v f="$field:" '$1 == f {print $2}' "/proc/$p/status" 2>/dev/null) || die "agent pid $p exited while idle"
    s=$(( s + v ))
  done
  echo $s
}

loss_on() {
  loss_off
  iptables -w -N "$LOSS"
  iptables -w -I INPUT -i lo -j "$LOSS"
  iptables -w -A "$LOSS" -p tcp --sport 7373 -j RETURN   # leave the Serf RPC used for polling alone
  iptables -w -A "$LOSS" -p tcp --dport 7373 -j RETURN
  iptables -w -A "$LOSS" -s 127.0.1.0/24 -m statistic --mode random --probability 0.1 -j DROP
  iptables -w -A "$LOSS" -s 127.0.2.0/24 -m statistic --mode random --probability 0.1 -j DROP
}

declare -A R
fmt() { awk -v x="$1" -v d="${2:-2}" 'BEGIN{ if (x ~ /^-?[0-9.]+$/) printf "%.*f", d, x; else printf "%s", x }'; }

run_system() {  # run_system SYSTEM N: fills R[SYSTEM,N,metric]
  local sys=$1 n=$2 i
  rm -rf "${work:?}/$sys"; mkdir -p "$work/$sys"
  for k in conv det rss anon cpu bps false; do R[$sys,$n,$k]=n/a; done
  if [ "$sys" = shoal ]; then
    "$binary" cluster init --dir "$work/shoal/cluster" > /dev/null || { log "shoal cluster init failed"; return; }
  fi
  # Both binaries start from disk, as after a boot (scripts/evict-page-cache says why).
  "$root/scripts/evict-page-cache" "$([ "$sys" = shoal ] && echo "$binary" || command -v serf)"
  acct_setup "$n"
  log "$sys N=$n: starting agents"
  local t0; t0=$(date +%s.%N)
  start_agent "$sys" 1
  if ! poll "$sys" "$n" ready 1 15; then
    log "$sys n1 does not answer 'members' after 15 s; skipping $sys at N=$n. Log tail:"
    tail -n 5 "$work/$sys/1/agent.log" >&2; stop_agents; return
  fi
  for i in $(seq 2 "$n"); do start_agent "$sys" "$i"; done
  R[$sys,$n,conv]=$(poll "$sys" "$n" converge "$t0" 120)
  log "$sys N=$n: join convergence ${R[$sys,$n,conv]} s"
  local apids=("${pids[@]}")

  sleep 3   # let the join traffic settle
  local c0 b0 c1 b1 pre; pre=$(ip_of "$sys" 0); pre=${pre%.0}
  c0=$(cpu_ticks "${apids[@]}"); b0=$(acct_bytes "$pre" "$n")
  sleep "$idle_seconds"
  c1=$(cpu_ticks "${apids[@]}"); b1=$(acct_bytes "$pre" "$n")
  R[$sys,$n,cpu]=$(awk -v d=$((c1 - c0)) -v hz="$CLK_TCK" -v s="$idle_seconds" -v n="$n" 'BEGIN{printf "%.3f", d/hz/s*100/n}')
  R[$sys,$n,bps]=$(awk -v d=$((b1 - b0)) -v s="$idle_seconds" -v n="$n" 'BEGIN{printf "%.0f", d/s/n}')
  R[$sys,$n,rss]=$(awk -v k="$(rss_kb VmRSS "${apids[@]}")" -v n="$n" 'BEGIN{printf "%.1f", k/1024/n}')
  R[$sys,$n,anon]=$(awk -v k="$(rss_kb RssAnon "${apids[@]}")" -v n="$n" 'BEGIN{printf "%.1f", k/1024/n}')
  log "$sys N=$n: idle ${R[$sys,$n,cpu]} % CPU, ${R[$sys,$n,bps]} B/s, ${R[$sys,$n,rss]} MiB RSS (${R[$sys,$n,anon]} MiB private) per agent"

  if awk -v m="$loss_minutes" 'BEGIN{exit !(m>0)}'; then
    log "$sys N=$n: ${loss_minutes} min with 10% loss on loopback"
    loss_on
    R[$sys,$n,false]=$(poll "$sys" "$n" soak "$(awk -v m="$loss_minutes" 'BEGIN{print m*60}')")
    loss_off
    log "$sys N=$n: false deaths ${R[$sys,$n,false]}; waiting for every agent to see $n alive again"
    poll "$sys" "$n" converge "$(date +%s.%N)" 120 > /dev/null
  fi

  local victim=$n
  R[$sys,$n,det]=$(poll "$sys" "$n" detect "$victim" "${apids[victim - 1]}" 120)
  log "$sys N=$n: failure detection ${R[$sys,$n,det]} s"
  stop_agents
  remove_chain OUTPUT "$ACCT" -o lo
}

for n in $sizes; do
  for sys in "${systems[@]}"; do run_system "$sys" "$n"; done
done

# ---------------------------------------------------------------- report
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0) printf "%.2f", a/b; else printf "-" }'; }
verdict() {  # verdict RATIO LIMIT
  awk -v r="$1" -v l="$2" 'BEGIN{ if (r !~ /^[0-9.]+$/) print "?"; else if (r <= l) print "ok"; else print "MISSED" }'
}
echo
printf 'Shoal vs Serf membership (loopback, one address per agent, Shoal profile %s, idle window %s s)\n' "$profile" "$idle_seconds"
for n in $sizes; do
  echo
  printf '%-30s %10s %10s %12s   %s\n' "N=$n" Shoal Serf Shoal/Serf target
  row() {  # row LABEL KEY [LIMIT] [DECIMALS]
    local a=${R[shoal,$n,$2]:-n/a} b=${R[serf,$n,$2]:-n/a} r t=""
    r=$(ratio "$a" "$b")
    [ -n "${3:-}" ] && t="<= $3 ($(verdict "$r" "$3"))"
    printf '%-30s %10s %10s %12s   %s\n' "$1" "$(fmt "$a" "${4:-2}")" "$(fmt "$b" "${4:-2}")" "$r" "$t"
  }
  row "join convergence (s)" conv
  row "failure detection (s)" det 0.6
  row "RSS per agent (MiB)" rss 1.0
  row "  of it private (MiB)" anon
  row "idle CPU per agent (% core)" cpu "" 3
  row "idle bytes/s per agent" bps "" 0
  if awk -v m="$loss_minutes" 'BEGIN{exit !(m>0)}'; then
    a=${R[shoal,$n,false]:-n/a} b=${R[serf,$n,false]:-n/a}
    t="0 ($([ "$a" = 0 ] && echo ok || { [ "$a" = n/a ] && echo '?' || echo MISSED; }))"
    printf '%-30s %10s %10s %12s   %s\n' "false deaths, ${loss_minutes} min 10% loss" "$a" "$b" - "$t"
  else
    printf '%-30s %10s %10s %12s   %s\n' "false deaths (10% loss soak)" skipped skipped - "0 (run with --loss-minutes 10)"
  fi
done
