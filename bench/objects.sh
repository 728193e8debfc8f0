#!/usr/bin/env bash
# Objects benchmark: Shoal against Ray's object store, node to node, same machine, one run.
#
#   bench/objects.sh [--binary PATH] [--only shoal|ray|parallel]
#
# Environment (defaults in brackets):
#   RUNS [5]          transfers per system and data set (the median is reported)
#   SIZE_MIB [256]    object size
#   MEMORY_MIB [1024] size of the flat-memory check (0 skips it)
#   PARALLEL_MIB [256] object size of the parallel-fetch step (root: network namespaces, tc)
#   RAY_VENV [/var/tmp/shoal-bench/ray-venv]  the virtual environment Ray is installed into from
#                     PyPI when missing (this bench only; never `make test`)
#
# Shoal: two agents on 127.0.0.61 and .62, replicas 1, release binary by default (see
# bench/common.sh). Each run puts fresh bytes through one agent, `shoal rm`s the copy of the
# agent that is not the object's home, and times `shoal get ID -o -` there (the bytes pulled
# over `objects/1`: encrypted, verified, stored, then streamed to the client, which writes them
# to /dev/null). `shoal put` is timed too.
# Ray: a head and a worker node on this machine (`ray start`, one CPU each, resources a and b);
# a task on a creates the object in its node's store, a task on b takes it as an argument (Ray
# moves it between the two object stores), the time from submitting the second task to its
# result is the transfer. `ray.put` of the same bytes from the driver is timed too.
# Data sets: random bytes (incompressible), and text: the toolchain's JSON and interface files
# and the man pages, concatenated up to SIZE_MIB (zstd-1 compresses it about 4x).
# The systems run one after the other, never together.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
die() { echo "objects.sh: $*" >&2; exit 1; }
# shellcheck source=bench/common.sh
. "$root/bench/common.sh"

parse_bench_args "$@"
RUNS=${RUNS:-5}
SIZE_MIB=${SIZE_MIB:-256}
MEMORY_MIB=${MEMORY_MIB:-1024}
PARALLEL_MIB=${PARALLEL_MIB:-256}
RAY_VENV=${RAY_VENV:-/var/tmp/shoal-bench/ray-venv}
find_shoal_binary
hold_bench_lock objects

work=$(mktemp -d /var/tmp/shoal-objects-bench.XXXXXX)
pids=()
cleanup() {
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  [ -x "$RAY_VENV/bin/ray" ] && "$RAY_VENV/bin/ray" stop --force >/dev/null 2>&1 || true
  [ -d "$work/netns" ] && "$root/deploy/netns/cluster.sh" --dir "$work/netns" down >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
now() { date +%s.%N; }

# ---------------------------------------------------------------- data
prepare_text() {
echo "preparing ${SIZE_MIB} MiB of text..."
text=$work/text.bin
# Written file by file until the size is reached (a pipeline into `head -c` does not end when
# head has enough), then repeated, unaligned to the 1 MiB chunks so no chunk repeats, if the
# machine has too little text.
SIZE=$((SIZE_MIB << 20)) OUT=$text python3 - <<'PY'
import gzip, os
size, out = int(os.environ["SIZE"]), os.environ["OUT"]
def sources():
    for top in ("/opt/swift", "/usr/lib/swift", "/usr/share"):
        for folder, dirs, files in sorted(os.walk(top)):
            dirs.sort()
            for name in sorted(files):
                if name.endswith((".json", ".swiftinterface")):
                    path = os.path.join(folder, name)
                    if os.path.isfile(path) and os.path.getsize(path) > 4096:
                        yield lambda path=path: open(path, "rb").read()
    for folder, dirs, files in sorted(os.walk("/usr/share/man")):
        dirs.sort()
        for name in sorted(files):
            if name.endswith(".gz"):
                yield lambda path=os.path.join(folder, name): gzip.open(path).read()
written = 0
with open(out, "wb") as f:
    for read in sources():
        try:
            data = read()
        except (OSError, EOFError):
            continue
        data = data[: size - written]
        f.write(data)
        written += len(data)
        if written >= size:
            break
    if written == 0:
        raise SystemExit("objects.sh: no text found on this machine")
    while written < size:
        f.flush()
        with open(out, "rb") as again:
            again.seek(written // 3)
            data = again.read(size - written)
        f.write(data)
        written += len(data)
PY
ratio=$(zstd -1 -c "$text" 2>/dev/null | wc -c | awk -v n=$((SIZE_MIB << 20)) '$1 > 0 {printf "%.1f", n / $1}')
echo "text: $(stat -c %s "$text") bytes, zstd -1 ratio ${ratio:-?}x"
}
[ "$only" = parallel ] || prepare_text
random_file() { head -c $((SIZE_MIB << 20)) /dev/urandom > "$1"; }

declare -A result

# ---------------------------------------------------------------- Shoal
shoal_bench() {
  "$binary" cluster init --dir "$work/cluster" >/dev/null
  for i in 1 2; do
    join=(); [ "$i" = 2 ] && join=(--join 127.0.0.61:7946)
    "$binary" agent --name "b$i" --bind "127.0.0.6$i:7946" --state-dir "$work/s$i" --admin-socket "$work/s$i.sock" \
      --cluster-dir "$work/cluster" --log-format text --log-level warning "${join[@]}" 2> "$work/s$i.log" &
    pids+=($!)
  done
  # Both agents must see both alive before the first put: a put placed while the writer holds
  # only itself alive keeps its one replica there, and `rm` below would then drop the only copy.
  for _ in $(seq 1 100); do
    [ "$("$binary" members --socket "$work/s1.sock" --status alive --format json 2>/dev/null | grep -c '"name"')" = 2 ] &&
      [ "$("$binary" members --socket "$work/s2.sock" --status alive --format json 2>/dev/null | grep -c '"name"')" = 2 ] && break
    sleep 0.1
  done
  for set in random text; do
    gets=(); puts=()
    for run in $(seq 1 "$RUNS"); do
      if [ "$set" = random ]; then file=$work/random.bin; random_file "$file"; else
        # A fresh object each run: the text with the run number in front.
        file=$work/text-run.bin; { printf 'run %s\n' "$run"; cat "$text"; } > "$file"; fi
      sync
      t0=$(now)
      id=$("$binary" put --socket "$work/s1.sock" --replicas 1 "$file")
      t1=$(now)
      read -r home holders < <("$binary" object --socket "$work/s1.sock" --format json "$id" |
        python3 -c 'import json,sys; o=json.load(sys.stdin); print(o["homes"][0]["name"], ",".join(h["name"] for h in o["holders"]))')
      reader=2; [ "$home" = b2 ] && reader=1
      case ",$holders," in *",b$((3 - reader)),"*) ;; *) tail -n 5 "$work/s1.log" "$work/s2.log" >&2
          die "run $run: the home b$((3 - reader)) does not hold $id (holders: $holders)" ;; esac
      "$binary" rm --socket "$work/s$reader.sock" "$id" >/dev/null 2>&1 || true
      t2=$(now)
      "$binary" get --socket "$work/s$reader.sock" "$id" -o - > /dev/null
      t3=$(now)
      size=$(stat -c %s "$file")
      puts+=("$(echo "$size $t0 $t1" | awk '{printf "%.1f", $1 / 1048576 / ($3 - $2)}')")
      gets+=("$(echo "$size $t2 $t3" | awk '{printf "%.1f", $1 / 1048576 / ($3 - $2)}')")
      "$binary" rm --socket "$work/s1.sock" "$id" >/dev/null 2>&1 || true
      "$binary" rm --socket "$work/s2.sock" "$id" >/dev/null 2>&1 || true
    done
    result[shoal_get_$set]=$(printf '%s\n' "${gets[@]}" | median)
    result[shoal_put_$set]=$(printf '%s\n' "${puts[@]}" | median)
    echo "shoal $set: get ${gets[*]} MiB/s (median ${result[shoal_get_$set]}); put ${puts[*]} (median ${result[shoal_put_$set]})"
  done
  if [ "$MEMORY_MIB" -gt 0 ]; then
    rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
    hwm() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }
    head -c $((MEMORY_MIB << 20)) /dev/urandom > "$work/big.bin"
    # The peak (VmHWM) starts again from the present (proc(5), clear_refs 5), so it is this
    # step's peak and not the earlier runs'.
    for pid in "${pids[@]}"; do echo 5 > "/proc/$pid/clear_refs" 2>/dev/null || true; done
    before1=$(rss "${pids[0]}"); before2=$(rss "${pids[1]}")
    id=$("$binary" put --socket "$work/s1.sock" --replicas 1 "$work/big.bin")
    home=$("$binary" object --socket "$work/s1.sock" --format json "$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["homes"][0]["name"])')
    reader=2; [ "$home" = b2 ] && reader=1
    "$binary" rm --socket "$work/s$reader.sock" "$id" >/dev/null 2>&1 || true
    "$binary" get --socket "$work/s$reader.sock" "$id" -o - | cmp -s - "$work/big.bin" && same=yes || same=NO
    echo "memory: a ${MEMORY_MIB} MiB put on b1 and get on b$reader (byte-identical: $same):" \
      "b1 RSS ${before1} KiB before, peak $(hwm "${pids[0]}") KiB;" \
      "b2 RSS ${before2} KiB before, peak $(hwm "${pids[1]}") KiB" \
      "(growth: b1 $(( ($(hwm "${pids[0]}") - before1) / 1024 )) MiB, b2 $(( ($(hwm "${pids[1]}") - before2) / 1024 )) MiB)"
    rm -f "$work/big.bin"
  fi
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
}

# ---------------------------------------------------------------- Ray
ray_bench() {
  ensure_ray_venv
  RAY_USAGE_STATS_ENABLED=0 "$RAY_VENV/bin/ray" start --head --node-ip-address 127.0.0.1 --port 6399 --num-cpus 1 \
    --resources '{"a": 1}' --object-store-memory $(( (SIZE_MIB * 3) << 20 )) --include-dashboard false >/dev/null
  RAY_USAGE_STATS_ENABLED=0 "$RAY_VENV/bin/ray" start --address 127.0.0.1:6399 --node-ip-address 127.0.0.1 --num-cpus 1 \
    --resources '{"b": 1}' --object-store-memory $(( (SIZE_MIB * 3) << 20 )) >/dev/null
  RUNS=$RUNS SIZE=$((SIZE_MIB << 20)) TEXT=$text "$RAY_VENV/bin/python" - <<'PY' > "$work/ray.out"
import os, statistics, time
import numpy as np
import ray

ray.init(address="127.0.0.1:6399", logging_level="ERROR")
runs, size, text = int(os.environ["RUNS"]), int(os.environ["SIZE"]), os.environ["TEXT"]

@ray.remote(resources={"a": 1}, num_cpus=0)
def make(kind, run):
    if kind == "random":
        return np.frombuffer(os.urandom(size), dtype=np.uint8)
    data = np.fromfile(text, dtype=np.uint8).copy()
    data[:8] = np.frombuffer(run.to_bytes(8, "little"), dtype=np.uint8)
    return data

@ray.remote(resources={"b": 1}, num_cpus=0)
def consume(array):
    return array.nbytes

for kind in ("random", "text"):
    gets, puts = [], []
    for run in range(runs):
        ref = make.remote(kind, run)
        ray.wait([ref])
        start = time.perf_counter()
        n = ray.get(consume.remote(ref))
        gets.append(n / 1048576 / (time.perf_counter() - start))
        local = ray.get(ref) if kind == "text" else np.frombuffer(os.urandom(size), dtype=np.uint8)
        start = time.perf_counter()
        put = ray.put(local)
        puts.append(local.nbytes / 1048576 / (time.perf_counter() - start))
        del ref, put, local
    print(kind, " ".join(f"{g:.1f}" for g in gets), statistics.median(gets), " ".join(f"{p:.1f}" for p in puts), statistics.median(puts))
PY
  while read -r kind rest; do
    set -- $rest
    gets="${*:1:$RUNS}"; shift "$RUNS"; gm=$1; shift
    puts="${*:1:$RUNS}"; shift "$RUNS"; pm=$1
    result[ray_get_$kind]=$(printf '%.1f' "$gm"); result[ray_put_$kind]=$(printf '%.1f' "$pm")
    echo "ray $kind: get $gets MiB/s (median ${result[ray_get_$kind]}); ray.put $puts (median ${result[ray_put_$kind]})"
  done < "$work/ray.out"
  "$RAY_VENV/bin/ray" stop --force >/dev/null 2>&1 || true
}

# ---------------------------------------------------------------- parallel fetch (netns)
# Four agents in network namespaces (deploy/netns/cluster.sh), each node's uplink (its eth0's
# egress) shaped by tc to 200 Mbit/s, as on a network of machines whose sends are the limit.
# An object of PARALLEL_MIB random bytes with three holders is read by the fourth node, against
# one with a single holder; fresh objects each run, median of RUNS.
parallel_bench() {
  [ "$(id -u)" = 0 ] || { echo "parallel fetch: skipped (needs root for network namespaces)"; return; }
  local net=$work/netns
  c() { "$root/deploy/netns/cluster.sh" --dir "$net" "$@"; }
  c down >/dev/null 2>&1 || true
  c up 4 --binary "$binary" -- --log-level warning >/dev/null
  c wait-converged 4 60 >/dev/null || die "the four netns agents did not converge"
  for i in 1 2 3 4; do
    c exec "$i" tc qdisc add dev eth0 root tbf rate 200mbit burst 256kb latency 100ms
  done
  sock() { echo "$net/n$1/admin.sock"; }
  describe() { "$binary" object --socket "$(sock 1)" --format json "$1"; }
  local three=() one=() file=$work/parallel.bin
  for run in $(seq 1 "$RUNS"); do
    for holders in 3 1; do
      head -c $((PARALLEL_MIB << 20)) /dev/urandom > "$file"
      id=$("$binary" put --socket "$(sock 1)" --replicas "$holders" "$file")
      # The reader is a node that is not a home; every other non-home copy is removed, so
      # exactly the homes hold it.
      homes=$(describe "$id" | python3 -c 'import json,sys; print(" ".join(h["name"] for h in json.load(sys.stdin)["homes"]))')
      reader=""
      for i in 1 2 3 4; do
        case " $homes " in *" n$i "*) ;; *) "$binary" rm --socket "$(sock "$i")" "$id" >/dev/null 2>&1 || true
                                         [ -z "$reader" ] && reader=$i ;; esac
      done
      count=$(describe "$id" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["holders"]))')
      [ "$count" = "$holders" ] || die "wanted $holders holders of $id before the get, found $count"
      t0=$(now)
      "$binary" get --socket "$(sock "$reader")" "$id" -o - > /dev/null
      t1=$(now)
      rate=$(echo "$PARALLEL_MIB $t0 $t1" | awk '{printf "%.1f", $1 / ($3 - $2)}')
      if [ "$holders" = 3 ]; then three+=("$rate"); else one+=("$rate"); fi
      for i in 1 2 3 4; do "$binary" rm --socket "$(sock "$i")" "$id" >/dev/null 2>&1 || true; done
    done
  done
  result[parallel_three]=$(printf '%s\n' "${three[@]}" | median)
  result[parallel_one]=$(printf '%s\n' "${one[@]}" | median)
  echo "parallel fetch, ${PARALLEL_MIB} MiB over 200 Mbit/s uplinks: three holders ${three[*]} MiB/s" \
    "(median ${result[parallel_three]}), one holder ${one[*]} (median ${result[parallel_one]})," \
    "ratio $(awk -v a="${result[parallel_three]}" -v b="${result[parallel_one]}" 'BEGIN {printf "%.2f", a / b}')"
  c down >/dev/null 2>&1 || true
}

[ "$only" != ray ] && [ "$only" != parallel ] && shoal_bench
[ "$only" != shoal ] && [ "$only" != parallel ] && ray_bench
[ -z "$only" ] || [ "$only" = parallel ] && parallel_bench

if [ -z "$only" ]; then
  echo
  echo "node to node, ${SIZE_MIB} MiB, median of $RUNS (MiB/s of the uncompressed size):"
  printf '%-22s %10s %10s %8s\n' measurement shoal ray shoal/ray
  for m in get_random get_text put_random put_text; do
    printf '%-22s %10s %10s %8s\n' "$m" "${result[shoal_$m]}" "${result[ray_$m]}" \
      "$(awk -v a="${result[shoal_$m]}" -v b="${result[ray_$m]}" 'BEGIN {printf "%.2f", a / b}')"
  done
fi
