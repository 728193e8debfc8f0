#!/usr/bin/env bash
# Leadership benchmark: Shoal against etcd, same group sizes, same machine, one run.
#
#   bench/leader.sh [--binary PATH] [--only shoal|etcd] [--keep]
#
# Environment (defaults in brackets; the default run took 6 minutes here):
#   TRIALS [10]          failover trials per system and group size
#   SIZES ["3 5"]        group sizes for the failover trials
#   SEQ_WRITES [2000]    writes of the sequential (one client) write test
#   CLIENTS [16]         clients of the concurrent write test
#   CONC_WRITES [4000]   writes of the concurrent test, shared among the clients
#   VALUE_BYTES [100]    size of each written value
#   STORM_SECONDS [60]   seconds of the saturated-CPU soak per system (0 skips it)
#   SETTLE_SECONDS [2]   pause once a group is whole again before the next trial
#   SHOAL_LOG_LEVEL [info]  the agents' --log-level (debug shows each Raft message dropped)
#
# Needs root (scripts/setup.sh installs etcd-server, etcd-client and python3 from Debian when
# missing), and a Shoal binary (default: $SHOAL_BINARY, else .build-release/release/shoal from
# scripts/build-release.sh, else .build/debug/shoal). A `make bench-leader` target could run this
# (the Makefile has none yet).
#
# Every member has its own loopback address and its own data directory in one temporary
# directory on the same disk: Shoal agent i binds 127.0.0.(30+i):7946 with its admin socket in
# the work directory (`--bootstrap-expect 3`, agents 2.. join agent 1; with 5 agents the leader
# promotes 4 and 5 to voters and the trials wait for 5 voters); etcd member i listens on
# 127.0.0.(40+i):2379 (client) and :2380 (peer), static `--initial-cluster`, default timings
# (heartbeat 100 ms, election 1000 ms). The systems run one after the other, never together, so
# neither competes with the other for the two cores; each measurement is taken for both back to
# back. What is measured:
#   failover     SIGKILL the leader, then from a survivor (the lowest-numbered one) start a write
#                every 15 ms, each on a new connection with a 0.5 s timeout (at most 40 in flight;
#                a write sent towards the dead leader may hang until its timeout, so each is retried
#                rather than awaited): the time from the kill until the first write is
#                acknowledged (HTTP 200), to within about 15 ms. Shoal:
#                PUT /v1/kv/KEY on the survivor's admin socket (it forwards to the leader); etcd:
#                POST /v3/kv/put on the survivor's client URL (its JSON gateway). The killed
#                member is then restarted with the same arguments and data (Shoal agent 1 with
#                --join to agent 2, see start_member), and the next trial
#                waits until every member reports the same leader (Shoal: N voters, each recently
#                active) plus SETTLE_SECONDS. TRIALS trials; median, min and max.
#   writes       through the leader of a fresh 3-member group: SEQ_WRITES writes from one client;
#                on another fresh group, CONC_WRITES from CLIENTS clients (threads of one Python process),
#                each client on one kept-alive HTTP/1.1 connection, one write in flight per client;
#                writes per second and p50/p99 latency of each acknowledged write. Same client code
#                for both (http.client; Unix socket for Shoal, loopback TCP for etcd); values of
#                VALUE_BYTES bytes, 1000 distinct keys. Both fsync their Raft log before a write
#                is acknowledged.
#   storm        (STORM_SECONDS > 0) on a fresh idle 3-member group, two busy loops saturate both
#                cores for STORM_SECONDS; every member is asked for its leader and term every
#                0.2 s: leader changes (a sample naming a different leader than the one before,
#                on any member) and the term's increase over the soak (elections started;
#                etcd 3.4 runs without pre-vote by default, so a lost election raises it too).
# Then a table: Shoal, etcd, Shoal/etcd and the target (failover ratio <= 0.5), and the count of
# lines at level error or critical (or a Swift "Fatal error"), and at level warning, in Shoal's
# agent logs.
# Everything started here is stopped on exit, including Ctrl-C; the work directory is removed
# unless --keep is given or the run failed. Traffic goes to loopback addresses only.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
binary=""; only=both; keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "leader.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
done
trials=${TRIALS:-10}; sizes=${SIZES:-"3 5"}; seq_writes=${SEQ_WRITES:-2000}; clients=${CLIENTS:-16}
conc_writes=${CONC_WRITES:-4000}; value_bytes=${VALUE_BYTES:-100}; storm_seconds=${STORM_SECONDS:-60}
settle=${SETTLE_SECONDS:-2}; shoal_log_level=${SHOAL_LOG_LEVEL:-info}

die() { echo "leader.sh: $*" >&2; exit 1; }
. "$root/bench/common.sh"
log() { echo "[$(date +%T)] $*" >&2; }

for v in "$trials" "$seq_writes" "$clients" "$conc_writes" "$value_bytes" "$storm_seconds" "$settle"; do
  [[ "$v" =~ ^[0-9]+$ ]] || die "TRIALS, SEQ_WRITES, CLIENTS, CONC_WRITES, VALUE_BYTES, STORM_SECONDS and SETTLE_SECONDS are whole numbers, not '$v'"
done
for n in $sizes; do
  [[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -ge 3 ] && [ "$n" -le 9 ] || die "SIZES must be 3..9, not '$n'"
done
case "$only" in both|shoal|etcd) ;; *) die "--only must be shoal or etcd" ;; esac
systems=()
[ "$only" != shoal ] && systems+=(etcd)
[ "$only" != etcd ] && systems+=(shoal)

"$root/scripts/setup.sh" etcd-server etcd-client >&2
command -v etcd >/dev/null || die "'etcd' not found after scripts/setup.sh"
command -v python3 >/dev/null || die "python3 not found"
if [ "$only" != etcd ]; then
  find_shoal_binary
fi

# One run at a time: the addresses and ports below are fixed.
hold_bench_lock leader

work=$(mktemp -d /tmp/shoal-leader-bench.XXXXXX)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)   # other work on the machine skews every figure
declare -A pid_of   # "SYSTEM,I" -> pid of the running member
busy=()

# ---------------------------------------------------------------- cleanup
stop_pids() {
  local p t alive
  [ $# -gt 0 ] || return 0
  for p in "$@"; do kill -TERM "$p" 2>/dev/null || true; kill -CONT "$p" 2>/dev/null || true; done
  for t in $(seq 50); do
    alive=0; for p in "$@"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ $alive -eq 0 ] && break; sleep 0.1
  done
  for p in "$@"; do kill -KILL "$p" 2>/dev/null || true; done
  for t in $(seq 50); do
    alive=0; for p in "$@"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ $alive -eq 0 ] && break; sleep 0.1
  done
}
ours() {  # ours PID: whether PID is a member started here (its command line names the work directory)
  { tr '\0' ' ' < "/proc/$1/cmdline"; } 2>/dev/null | grep -qF "$work/"
}
gone() {  # gone PID: exited (or a zombie)
  [ ! -e "/proc/$1" ] || [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ]
}
stop_members() {  # stop_members [all]: the members in pid_of; with `all`, every member ever started here
  local ps=() k p
  for k in "${!pid_of[@]}"; do ps+=("${pid_of[$k]}"); done
  if [ "${1:-}" = all ] && [ -f "$work/pids" ]; then
    for p in $(cat "$work/pids"); do ours "$p" && ps+=("$p"); done
  fi
  stop_pids "${ps[@]+"${ps[@]}"}"
  pid_of=()
}
busy_off() { stop_pids "${busy[@]+"${busy[@]}"}"; busy=(); }
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  busy_off
  stop_members all
  if [ $keep -eq 1 ] || [ $rc -ne 0 ]; then echo "logs kept in $work" >&2; else rm -rf "$work"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- client
cat > "$work/client.py" <<'PY'
import base64, http.client, json, os, signal, socket, sys, threading, time

system, work, mode, rest = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]

class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout):
        super().__init__("localhost", timeout=timeout)
        self.path = path
    def connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(self.timeout)
        s.connect(self.path)
        self.sock = s

def connection(i, timeout):
    if system == "shoal":
        return UnixConnection(f"{work}/shoal/n{i}.sock", timeout)
    return http.client.HTTPConnection(f"127.0.0.{40 + i}", 2379, timeout=timeout)

def b64(s):
    return base64.b64encode(s if isinstance(s, bytes) else s.encode()).decode()

def write_request(key, value):
    """(method, path, body) of one write of `value` (bytes) at `key`."""
    if system == "shoal":
        return "PUT", "/v1/kv/" + key, value
    return "POST", "/v3/kv/put", json.dumps({"key": b64(key), "value": b64(value)}).encode()

def request(conn, method, path, body=None):
    conn.request(method, path, body=body, headers={"Content-Type": "application/json"} if system == "etcd" else {})
    r = conn.getresponse()
    return r.status, r.read()

def once(i, method, path, body=None, timeout=2.0):
    """(status, body) from member i on a new connection, or (None, error text)."""
    c = connection(i, timeout)
    try:
        return request(c, method, path, body)
    except Exception as e:
        return None, str(e).encode()
    finally:
        c.close()

def status(i):
    """(leader, term, me, extra) as member i reports it, or None when it does not answer.
    Shoal: leader name, term, member name; etcd: leader id, term, member id."""
    if system == "shoal":
        st, body = once(i, "GET", "/v1/leader", timeout=1.0)
        if st != 200: return None
        d = json.loads(body)
        return d.get("name", ""), int(d.get("term", 0)), f"n{i}", d
    st, body = once(i, "POST", "/v3/maintenance/status", b"{}", timeout=1.0)
    if st != 200: return None
    d = json.loads(body)
    return d.get("leader", "0"), int(d.get("raftTerm", 0)), d.get("header", {}).get("member_id", "?"), d

def leader_index(n, need_all):
    """The index of the member every member (need_all) or some member names leader, or None."""
    sts = {i: status(i) for i in range(1, n + 1)}
    ok = {i: s for i, s in sts.items() if s is not None and s[0] not in ("", "0")}
    if need_all and len(ok) < n: return None, sts
    leaders = {s[0] for s in ok.values()}
    if len(leaders) != 1: return None, sts
    (leader,) = leaders
    for i, s in ok.items():
        if s[2] == leader: return i, sts
    return None, sts

def whole(n):
    """The leader's index once the group of n is whole: every member names the same leader and,
    for Shoal, the leader reports n voters, each recently active."""
    li, sts = leader_index(n, True)
    if li is None: return None
    if system == "shoal":
        st, body = once(li, "GET", "/v1/raft/peers", timeout=1.0)
        if st != 200: return None
        peers = json.loads(body).get("peers", [])
        voters = [p for p in peers if p.get("role") == "voter"]
        if len(voters) != n or not all(p.get("recentlyActive") for p in voters): return None
    return li

if mode == "wait":            # wait N TIMEOUT: prints the leader's index once the group is whole
    n, timeout = int(rest[0]), float(rest[1]); t0 = time.time()
    while time.time() - t0 < timeout:
        li = whole(n)
        if li is not None:
            print(li); sys.exit(0)
        time.sleep(0.1)
    print(f"group of {n} not whole after {timeout:.0f} s:", file=sys.stderr)
    for i in range(1, n + 1): print(f"  member {i}: {status(i)}", file=sys.stderr)
    sys.exit(1)

elif mode == "failover":      # failover PID SURVIVOR TIMEOUT TRIAL: kill -9 PID, first write through SURVIVOR
    pid, survivor, timeout, trial = int(rest[0]), int(rest[1]), float(rest[2]), rest[3]
    st, body = once(survivor, *write_request(f"bench/failover/{trial}/pre", b"x"))
    if st != 200:
        print(f"write through member {survivor} before the kill failed: {st} {body[:200]!r}", file=sys.stderr)
        sys.exit(1)
    done = threading.Event(); lock = threading.Lock(); slots = threading.Semaphore(40)
    first = []; errors = {}
    def attempt(k):
        try:
            st, body = once(survivor, *write_request(f"bench/failover/{trial}/{k}", b"x"), timeout=0.5)
            t = time.monotonic() - t0
            with lock:
                if st == 200:
                    first.append(t); done.set()
                else:
                    key = f"{st} {body[:80].decode(errors='replace')}"
                    errors[key] = errors.get(key, 0) + 1
        finally:
            slots.release()
    t0 = time.monotonic()
    os.kill(pid, signal.SIGKILL)
    k = 0
    while not done.is_set() and time.monotonic() - t0 < timeout:
        if slots.acquire(blocking=False):
            k += 1
            threading.Thread(target=attempt, args=(k,), daemon=True).start()
        done.wait(0.015)
    if first:
        print("%.3f" % min(first))
    else:
        print("timeout")
    if errors:
        print("    refused before: " + "; ".join(f"{v}x {e.strip()}" for e, v in sorted(errors.items(), key=lambda x: -x[1])[:3]), file=sys.stderr)

elif mode == "writes":        # writes LEADER CLIENTS COUNT VALUE_BYTES: writes/s, p50, p99 (ms)
    leader, nclients, count, vbytes = int(rest[0]), int(rest[1]), int(rest[2]), int(rest[3])
    value = b"v" * vbytes
    per = [count // nclients + (1 if c < count % nclients else 0) for c in range(nclients)]
    lat = [[] for _ in range(nclients)]; failures = [0] * nclients
    barrier = threading.Barrier(nclients + 1)
    def client(c):
        conn = connection(leader, 10.0)
        conn.connect()
        barrier.wait(timeout=60)
        for j in range(per[c]):
            m, p, b = write_request(f"bench/w/{(c * 7919 + j) % 1000}", value)
            t = time.perf_counter()
            try:
                st, body = request(conn, m, p, b)
            except Exception:
                conn.close(); conn = connection(leader, 10.0); st = None
            if st == 200: lat[c].append(time.perf_counter() - t)
            else: failures[c] += 1
        conn.close()
    threads = [threading.Thread(target=client, args=(c,)) for c in range(nclients)]
    for t in threads: t.start()
    barrier.wait(timeout=60); t0 = time.perf_counter()
    for t in threads: t.join()
    elapsed = time.perf_counter() - t0
    all_lat = sorted(x for l in lat for x in l)
    if not all_lat:
        print("n/a n/a n/a"); sys.exit(0)
    q = lambda f: all_lat[min(len(all_lat) - 1, int(f * len(all_lat)))] * 1000
    print("%.0f %.2f %.2f" % (len(all_lat) / elapsed, q(0.50), q(0.99)))
    if sum(failures): print(f"    {sum(failures)} writes failed", file=sys.stderr)

elif mode == "storm":         # storm N SECONDS: leader changes and term increase while the CPU is saturated
    n, seconds = int(rest[0]), float(rest[1])
    last = {}; changes = 0; terms = []; unanswered = 0; samples = 0; t0 = time.time()
    while time.time() - t0 < seconds:
        r0 = time.time()
        for i in range(1, n + 1):
            s = status(i); samples += 1
            if s is None or s[0] in ("", "0"):
                unanswered += 1; continue
            terms.append(s[1])
            if i in last and last[i] != s[0]:
                changes += 1
                print(f"    {time.time() - t0:5.1f} s: member {i} now names leader {s[0][:12]} (term {s[1]})", file=sys.stderr)
            last[i] = s[0]
        time.sleep(max(0.0, 0.2 - (time.time() - r0)))
    print(changes, (max(terms) - min(terms)) if terms else "n/a", unanswered, samples)
PY
client() { python3 "$work/client.py" "$1" "$work" "${@:2}"; }

# ---------------------------------------------------------------- members
start_member() {  # start_member SYSTEM N I [restart]: starts member I of a group of N
  local sys=$1 n=$2 i=$3 restart=${4:-}
  if [ -n "${pid_of[$sys,$i]:-}" ] && ! gone "${pid_of[$sys,$i]}"; then die "$sys member $i (pid ${pid_of[$sys,$i]}) is still running"; fi
  if [ "$sys" = shoal ]; then
    # Agent 1, the seed, starts with no --join; restarted so it would never find the others
    # again (the survivors hold it dead, and an agent keeps no member list across a restart):
    # restarted, it joins agent 2. Every other restart has the same arguments as the start.
    local join=(); [ "$i" -gt 1 ] && join=(--join 127.0.0.31:7946)
    [ "$i" -eq 1 ] && [ -n "$restart" ] && join=(--join 127.0.0.32:7946)
    "$binary" agent --name "n$i" --bind "127.0.0.$((30 + i)):7946" --state-dir "$work/shoal/n$i" \
      --admin-socket "$work/shoal/n$i.sock" --cluster-dir "$work/shoal/cluster" --log-format text \
      --log-level "$shoal_log_level" --bootstrap-expect 3 "${join[@]+"${join[@]}"}" >> "$work/shoal/n$i.log" 2>&1 < /dev/null 9>&- &
  else
    local cluster="" k
    for k in $(seq "$n"); do cluster+="${cluster:+,}e$k=http://127.0.0.$((40 + k)):2380"; done
    local a="127.0.0.$((40 + i))"
    etcd --name "e$i" --data-dir "$work/etcd/e$i" \
      --listen-client-urls "http://$a:2379" --advertise-client-urls "http://$a:2379" \
      --listen-peer-urls "http://$a:2380" --initial-advertise-peer-urls "http://$a:2380" \
      --initial-cluster "$cluster" --initial-cluster-state new --initial-cluster-token "shoal-bench-$n" \
      --logger zap --log-outputs stderr >> "$work/etcd/e$i.log" 2>&1 < /dev/null 9>&- &
  fi
  pid_of[$sys,$i]=$!
  echo $! >> "$work/pids"   # for cleanup, whatever happened to pid_of
  disown $!   # no "Killed" job notices when a trial SIGKILLs it
}

start_group() {  # start_group SYSTEM N: a fresh group; sets `leader` to the leader's index once whole
  local sys=$1 n=$2 i
  # The previous group's directory (its logs) is kept beside, for the log count and --keep.
  if [ -d "$work/$sys" ]; then mv "$work/$sys" "$work/$sys.$(date +%s%N)"; fi
  mkdir -p "$work/$sys"
  if [ "$sys" = shoal ]; then "$binary" cluster init --dir "$work/shoal/cluster" > /dev/null; fi
  for i in $(seq "$n"); do start_member "$sys" "$n" "$i"; done
  leader=$(client "$sys" wait "$n" 90)
}

declare -A R
failover_trials() {  # failover_trials SYSTEM N: fills R[SYSTEM,N,fo] with the trial times
  local sys=$1 n=$2 t leader survivor v times=() p=n; [ "$sys" = etcd ] && p=e
  log "$sys N=$n: starting the group"
  if ! start_group "$sys" "$n"; then log "$sys N=$n: the group never became whole; skipped"; stop_members; return; fi
  sleep "$settle"
  for t in $(seq "$trials"); do
    survivor=1; [ "$leader" -eq 1 ] && survivor=2
    v=$(client "$sys" failover "${pid_of[$sys,$leader]}" "$survivor" 30 "$t") || v=error
    log "$sys N=$n trial $t: killed leader $p$leader, write through $p$survivor accepted after $v s"
    times+=("$v")
    # However the trial went, the leader is dead before it is restarted.
    kill -KILL "${pid_of[$sys,$leader]}" 2>/dev/null || true
    for _ in $(seq 100); do gone "${pid_of[$sys,$leader]}" && break; sleep 0.05; done
    start_member "$sys" "$n" "$leader" restart
    if ! leader=$(client "$sys" wait "$n" 90); then log "$sys N=$n: the group is not whole again; stopping the trials"; break; fi
    sleep "$settle"
  done
  R[$sys,$n,fo]="${times[*]}"
  stop_members
}

write_test() {  # write_test SYSTEM TEST CLIENTS COUNT: fills R[SYSTEM,TEST,rate|p50|p99], on a fresh group of 3
  local sys=$1 test=$2 nclients=$3 count=$4 leader out
  log "$sys N=3: starting a group for $count writes from $nclients client(s)"
  if ! start_group "$sys" 3; then log "$sys: the group never became whole; skipped"; stop_members; return; fi
  sleep "$settle"
  out=$(client "$sys" writes "$leader" "$nclients" "$count" "$value_bytes")
  read -r "R[$sys,$test,rate]" "R[$sys,$test,p50]" "R[$sys,$test,p99]" <<< "$out"
  log "$sys: $count writes from $nclients client(s): ${R[$sys,$test,rate]}/s, p50 ${R[$sys,$test,p50]} ms, p99 ${R[$sys,$test,p99]} ms"
  stop_members
}

storm() {  # storm SYSTEM: fills R[SYSTEM,storm,*], on a fresh idle group of 3
  local sys=$1 leader out i
  log "$sys N=3: starting a group for $storm_seconds s with both cores saturated"
  if ! start_group "$sys" 3; then log "$sys: the group never became whole; skipped"; stop_members; return; fi
  sleep "$settle"
  for i in $(nproc | xargs seq); do ( while :; do :; done ) 9>&- & busy+=($!); disown $!; done
  out=$(client "$sys" storm 3 "$storm_seconds")
  busy_off
  read -r "R[$sys,storm,changes]" "R[$sys,storm,terms]" "R[$sys,storm,silent]" "R[$sys,storm,samples]" <<< "$out"
  log "$sys: ${R[$sys,storm,changes]} leader changes seen, term +${R[$sys,storm,terms]}, ${R[$sys,storm,silent]}/${R[$sys,storm,samples]} samples without a leader"
  stop_members
}

# Each measurement runs for both systems back to back, so other load on the machine, if it
# changes during the run, weighs on both alike.
for n in $sizes; do
  for sys in "${systems[@]}"; do failover_trials "$sys" "$n"; done
done
for sys in "${systems[@]}"; do write_test "$sys" seq 1 "$seq_writes"; done
for sys in "${systems[@]}"; do write_test "$sys" conc "$clients" "$conc_writes"; done
if [ "$storm_seconds" -gt 0 ]; then
  for sys in "${systems[@]}"; do storm "$sys"; done
fi
if [ "$only" != etcd ]; then
  R[shoal,errors]=$(cat "$work"/shoal*/n*.log 2>/dev/null | grep -ciE '^[^ ]+ (error|critical) |fatal error' || true)
  R[shoal,warnings]=$(cat "$work"/shoal*/n*.log 2>/dev/null | grep -ciE '^[^ ]+ warning ' || true)
fi

# ---------------------------------------------------------------- report
stats() {  # stats TIMES...: "median min max count" of the numeric ones
  printf '%s\n' "$@" | { grep -E '^[0-9.]+$' || true; } | sort -g | awk '
    { v[NR] = $1 } END { if (NR == 0) { print "n/a n/a n/a 0"; exit }
      m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
      printf "%.3f %.3f %.3f %d\n", m, v[1], v[NR], NR }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0) printf "%.2f", a/b; else printf "-" }'; }
verdict() {  # verdict RATIO LIMIT
  awk -v r="$1" -v l="$2" 'BEGIN{ if (r !~ /^[0-9.]+$/) print "?"; else if (r <= l) print "ok"; else print "MISSED" }'
}
row() {  # row LABEL SHOAL ETCD [TARGET-LIMIT]
  local r t=""; r=$(ratio "$2" "$3")
  [ -n "${4:-}" ] && t="<= $4 ($(verdict "$r" "$4"))"
  printf '%-34s %12s %12s %11s   %s\n' "$1" "$2" "$3" "$r" "$t"
}
echo
echo "Failover trials (s from SIGKILL of the leader to the first acknowledged write through a survivor):"
for n in $sizes; do
  for sys in "${systems[@]}"; do printf '  %-5s N=%s: %s\n' "$sys" "$n" "${R[$sys,$n,fo]:-n/a}"; done
done
echo
printf 'Shoal vs etcd %s (loopback, one address per member, %s-byte values)\n\n' \
  "$(etcd --version 2>/dev/null | awk '/etcd Version/ {print $3}')" "$value_bytes"
printf 'load average at the start %s, at the end %s (1, 5, 15 min; this run adds about 1-2)\n\n' \
  "$load_before" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-34s %12s %12s %11s   %s\n' "" Shoal etcd Shoal/etcd target
for n in $sizes; do
  read -r sm smin smax sc <<< "$(stats ${R[shoal,$n,fo]:-})"
  read -r em emin emax ec <<< "$(stats ${R[etcd,$n,fo]:-})"
  row "failover N=$n median (s)" "$sm" "$em" 0.5
  row "failover N=$n min (s)" "$smin" "$emin"
  row "failover N=$n max (s)" "$smax" "$emax"
  printf '%-34s %12s %12s\n' "failover N=$n trials that wrote" "$sc/$trials" "$ec/$trials"
done
row "1 client: writes/s" "${R[shoal,seq,rate]:-n/a}" "${R[etcd,seq,rate]:-n/a}"
row "1 client: p50 latency (ms)" "${R[shoal,seq,p50]:-n/a}" "${R[etcd,seq,p50]:-n/a}"
row "1 client: p99 latency (ms)" "${R[shoal,seq,p99]:-n/a}" "${R[etcd,seq,p99]:-n/a}"
row "$clients clients: writes/s" "${R[shoal,conc,rate]:-n/a}" "${R[etcd,conc,rate]:-n/a}"
row "$clients clients: p50 latency (ms)" "${R[shoal,conc,p50]:-n/a}" "${R[etcd,conc,p50]:-n/a}"
row "$clients clients: p99 latency (ms)" "${R[shoal,conc,p99]:-n/a}" "${R[etcd,conc,p99]:-n/a}"
if [ "$storm_seconds" -gt 0 ]; then
  row "CPU saturated ${storm_seconds} s: leader changes" "${R[shoal,storm,changes]:-n/a}" "${R[etcd,storm,changes]:-n/a}"
  row "CPU saturated ${storm_seconds} s: term increase" "${R[shoal,storm,terms]:-n/a}" "${R[etcd,storm,terms]:-n/a}"
  printf '%-34s %12s %12s\n' "  samples without a leader" \
    "${R[shoal,storm,silent]:-n/a}/${R[shoal,storm,samples]:-n/a}" "${R[etcd,storm,silent]:-n/a}/${R[etcd,storm,samples]:-n/a}"
fi
if [ "$only" != etcd ]; then
  printf '%-34s %12s\n' "Shoal log lines error|crit|fatal" "${R[shoal,errors]:-n/a}"
  printf '%-34s %12s   %s\n' "Shoal log lines warning" "${R[shoal,warnings]:-n/a}" "(a killed member is suspected, then failed: expected)"
fi
exit 0
