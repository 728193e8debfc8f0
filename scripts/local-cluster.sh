#!/usr/bin/env bash
# `make run`: a local cluster of three agents on loopback addresses 127.0.0.11-13,
# sharing a throwaway cluster authority in a temporary directory. Prints
# `shoal members` once they have converged, then stays in the foreground until
# Ctrl-C, which stops every agent gracefully (each leaves the cluster).
set -euo pipefail
binary=${1:-.build/debug/shoal}
count=${SHOAL_RUN_AGENTS:-3}
dir=$(mktemp -d /tmp/shoal-run.XXXXXX)
pids=()
stop() {
  trap - EXIT INT TERM
  echo; echo "stopping the agents (graceful leave)..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$dir"
}
trap stop EXIT INT TERM

"$binary" cluster init --dir "$dir/cluster" >/dev/null
for i in $(seq 1 "$count"); do
  join=()
  [ "$i" -gt 1 ] && join=(--join 127.0.0.11:7946)
  "$binary" agent --name "node$i" --bind "127.0.0.1$i:7946" --state-dir "$dir/node$i" \
    --admin-socket "$dir/node$i.sock" --cluster-dir "$dir/cluster" --log-format text "${join[@]}" \
    2> "$dir/node$i.log" &
  pids+=($!)
done
for _ in $(seq 1 100); do
  alive=$("$binary" members --socket "$dir/node1.sock" --status alive --format json 2>/dev/null \
    | grep -c '"name"' || true)
  [ "$alive" = "$count" ] && break
  sleep 0.1
done
"$binary" members --socket "$dir/node1.sock"
cat <<MSG

$count agents are running (logs: $dir/node*.log). Try, from another terminal:
  $binary members --socket $dir/node2.sock
  $binary monitor --socket $dir/node1.sock
  $binary info    --socket $dir/node3.sock
  curl --unix-socket $dir/node1.sock http://localhost/v1/members
Ctrl-C stops them.
MSG
wait "${pids[@]}"
