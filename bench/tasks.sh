#!/usr/bin/env bash
# Tasks benchmark: Shoal against Ray, no-op tasks onto a second node, same machine, one run.
#
#   bench/tasks.sh [--binary PATH] [--only shoal|ray]
#
# Environment (defaults in brackets):
#   TASKS [2000]      no-op tasks in the throughput run
#   LATENCY_RUNS [200] single tasks, one after the other, for the latency figures
#   RAY_VENV [/var/tmp/shoal-bench/ray-venv]  Ray from PyPI, installed there when missing (this
#                     bench only; never `make test`)
#
# Shoal: two agents on 127.0.0.81 and .82 (`--bootstrap-expect 2`: both are voters), the second
# labelled `node=b`; release binary by default (bench/common.sh). Throughput: TASKS tasks
# `/bin/true` with `labels: ["node=b"]` and `cpu: 100` (so at most 20 run at once on the 2,000m
# the second agent offers) submitted through the first agent in one `POST /v1/tasks`, timed until
# every one has succeeded (each followed with blocking reads of `GET /v1/tasks/{id}`). Each task is a
# process started by the agent: its slot directory emptied, `finished` committed through Raft
# (`started` too only for a process still running after 100 ms), empty stdout and stderr (which
# store no object).
# Latency: one task at a time, from its POST to the blocking read that sees it succeeded.
# Ray: a head (`--num-cpus 1`) and a worker node (`--num-cpus 2`, resource b=2), a no-op remote
# function with `resources={"b": 1}`, so it runs on the worker in one of its warm worker
# processes: TASKS of them submitted at once, timed to the last result; latency: `ray.get` of
# one `.remote()` at a time.
# The systems run one after the other, never together.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
die() { echo "tasks.sh: $*" >&2; exit 1; }
# shellcheck source=bench/common.sh
. "$root/bench/common.sh"

parse_bench_args "$@"
TASKS=${TASKS:-2000}
LATENCY_RUNS=${LATENCY_RUNS:-200}
RAY_VENV=${RAY_VENV:-/var/tmp/shoal-bench/ray-venv}
find_shoal_binary
hold_bench_lock tasks

work=$(mktemp -d /var/tmp/shoal-tasks-bench.XXXXXX)
pids=()
cleanup() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  [ -x "$RAY_VENV/bin/ray" ] && "$RAY_VENV/bin/ray" stop --force >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

declare -A result

shoal_bench() {
  "$binary" cluster init --dir "$work/cluster" >/dev/null
  for i in 1 2; do
    args=(); [ "$i" = 2 ] && args=(--join 127.0.0.81:7946 --label node=b)
    "$binary" agent --name "t$i" --bind "127.0.0.8$i:7946" --state-dir "$work/s$i" --admin-socket "$work/s$i.sock" \
      --cluster-dir "$work/cluster" --bootstrap-expect 2 --log-format text --log-level warning "${args[@]}" 2> "$work/s$i.log" &
    pids+=($!)
  done
  for _ in $(seq 1 200); do
    "$binary" leader --socket "$work/s1.sock" >/dev/null 2>&1 && break
    sleep 0.1
  done
  "$binary" leader --socket "$work/s1.sock" >/dev/null || die "the two agents elected no leader (logs: $work/s*.log)"
  SOCKET=$work/s1.sock TASKS=$TASKS RUNS=$LATENCY_RUNS python3 - <<'PY' > "$work/shoal.out"
import http.client, json, os, socket, statistics, time

class Unix(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost", timeout=600)
        self.path = path
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.path)

conn = Unix(os.environ["SOCKET"])
def call(method, path, body=None):
    conn.request(method, path, body=None if body is None else json.dumps(body))
    response = conn.getresponse()
    data = response.read()
    if response.status >= 300:
        raise SystemExit(f"{method} {path}: {response.status} {data[:300]!r}")
    return json.loads(data), response.getheader("X-Shoal-Index")

spec = {"argv": ["/bin/true"], "labels": ["node=b"], "cpu": 100}
count, runs = int(os.environ["TASKS"]), int(os.environ["RUNS"])
# Warm-up: the agents' first task (directories, connections).
task, _ = call("POST", "/v1/tasks", spec)
while call("GET", f"/v1/tasks/{task['id']}?index=0")[0]["state"] != "succeeded":
    time.sleep(0.01)

start = time.perf_counter()
tasks, _ = call("POST", "/v1/tasks", {"tasks": [spec] * count})
final = ("succeeded", "failed", "cancelled", "lost")
done = []
# Each task followed to its end with blocking reads, in submission order: by the time the
# first has ended most others have too, and each read is one task's JSON.
for task in tasks:
    view, index = call("GET", f"/v1/tasks/{task['id']}?index=0")
    while view["state"] not in final:
        view, index = call("GET", f"/v1/tasks/{task['id']}?index={index}&wait=30s")
    done.append(view)
elapsed = time.perf_counter() - start
failed = [t for t in done if t["state"] != "succeeded"]
nodes = {t["node"] for t in done}
print("throughput", f"{count / elapsed:.1f}", f"{elapsed:.3f}", len(failed), ",".join(sorted(nodes)))

latencies = []
for _ in range(runs):
    t0 = time.perf_counter()
    task, index = call("POST", "/v1/tasks", spec)
    state = task["state"]
    index = index or "0"
    while state != "succeeded":
        view, index = call("GET", f"/v1/tasks/{task['id']}?index={index}&wait=30s")
        state = view["state"]
        if state in ("failed", "cancelled", "lost"):
            raise SystemExit(f"a latency task {state}: {view}")
    latencies.append((time.perf_counter() - t0) * 1000)
latencies.sort()
p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]
print("latency", f"{statistics.median(latencies):.2f}", f"{p(0.99):.2f}")
PY
  read -r _ rate secs failed nodes < <(grep '^throughput' "$work/shoal.out")
  read -r _ p50 p99 < <(grep '^latency' "$work/shoal.out")
  [ "$failed" = 0 ] || die "$failed Shoal tasks did not succeed"
  [ "$nodes" = t2 ] || die "Shoal tasks ran on '$nodes', not only on t2"
  result[shoal_rate]=$rate; result[shoal_p50]=$p50; result[shoal_p99]=$p99
  echo "shoal: $TASKS tasks in ${secs} s: $rate tasks/s (all on t2); single task p50 $p50 ms, p99 $p99 ms"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
}

ray_bench() {
  ensure_ray_venv
  RAY_USAGE_STATS_ENABLED=0 "$RAY_VENV/bin/ray" start --head --node-ip-address 127.0.0.1 --port 6399 --num-cpus 1 \
    --include-dashboard false >/dev/null
  RAY_USAGE_STATS_ENABLED=0 "$RAY_VENV/bin/ray" start --address 127.0.0.1:6399 --node-ip-address 127.0.0.1 --num-cpus 2 \
    --resources '{"b": 2}' >/dev/null
  TASKS=$TASKS RUNS=$LATENCY_RUNS "$RAY_VENV/bin/python" - <<'PY' > "$work/ray.out"
import os, statistics, time
import ray

ray.init(address="127.0.0.1:6399", logging_level="ERROR")
count, runs = int(os.environ["TASKS"]), int(os.environ["RUNS"])

@ray.remote(resources={"b": 1})
def noop():
    return None

ray.get([noop.remote() for _ in range(20)])  # warm-up: the worker processes start
start = time.perf_counter()
ray.get([noop.remote() for _ in range(count)])
elapsed = time.perf_counter() - start
print("throughput", f"{count / elapsed:.1f}", f"{elapsed:.3f}")
latencies = []
for _ in range(runs):
    t0 = time.perf_counter()
    ray.get(noop.remote())
    latencies.append((time.perf_counter() - t0) * 1000)
latencies.sort()
p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]
print("latency", f"{statistics.median(latencies):.2f}", f"{p(0.99):.2f}")
PY
  read -r _ rate secs < <(grep '^throughput' "$work/ray.out")
  read -r _ p50 p99 < <(grep '^latency' "$work/ray.out")
  result[ray_rate]=$rate; result[ray_p50]=$p50; result[ray_p99]=$p99
  echo "ray:   $TASKS tasks in ${secs} s: $rate tasks/s; single task p50 $p50 ms, p99 $p99 ms"
  "$RAY_VENV/bin/ray" stop --force >/dev/null 2>&1 || true
}

[ "$only" = ray ] || shoal_bench
[ "$only" = shoal ] || ray_bench
if [ -n "${result[shoal_rate]:-}" ] && [ -n "${result[ray_rate]:-}" ]; then
  echo
  echo "| measurement | Shoal | Ray | Shoal/Ray |"
  echo "|---|---|---|---|"
  echo "| $TASKS no-op tasks onto the second node, tasks/s | ${result[shoal_rate]} | ${result[ray_rate]} | $(echo "${result[shoal_rate]} ${result[ray_rate]}" | awk '{printf "%.2f", $1 / $2}') |"
  echo "| one task, submit to result, p50 ms | ${result[shoal_p50]} | ${result[ray_p50]} | $(echo "${result[shoal_p50]} ${result[ray_p50]}" | awk '{printf "%.2f", $1 / $2}') |"
  echo "| one task, submit to result, p99 ms | ${result[shoal_p99]} | ${result[ray_p99]} | $(echo "${result[shoal_p99]} ${result[ray_p99]}" | awk '{printf "%.2f", $1 / $2}') |"
fi
