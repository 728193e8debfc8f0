#!/usr/bin/env bash
# `make run`: a local cluster of three agents on loopback addresses 127.0.0.11-13,
# sharing a throwaway cluster authority in a temporary directory. Prints
# `shoal members` once they have converged, the leader they elect, a key written
# through one agent and read back through another, an object put through one and read
# back through another, a task that reads that object through node2, then stays in the foreground until
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
echo
# The agents found their Raft group once three see each other, and elect a leader.
for _ in $(seq 1 100); do
  "$binary" leader --socket "$dir/node1.sock" >/dev/null 2>&1 && break
  sleep 0.1
done
"$binary" leader --socket "$dir/node1.sock" || true
echo
echo "\$ shoal kv put greeting 'hello from node2'   (through node2; any agent forwards to the leader)"
"$binary" kv put --socket "$dir/node2.sock" greeting "hello from node2" || true
echo "\$ shoal kv get greeting                      (read back through node3)"
"$binary" kv get --socket "$dir/node3.sock" greeting || true
echo
# An object: stored through node1 (durable on two nodes, its homes), read back through node3.
head -c 3000000 /dev/urandom > "$dir/sample.bin"
echo "\$ shoal put sample.bin                        (3 MB through node1; prints the object id)"
id=$("$binary" put --socket "$dir/node1.sock" "$dir/sample.bin" || true)
echo "$id"
if [ -n "$id" ]; then
  echo "\$ shoal object $id"
  "$binary" object --socket "$dir/node3.sock" "$id" || true
  echo "\$ shoal get $id -o copy.bin              (through node3)"
  "$binary" get --socket "$dir/node3.sock" "$id" -o "$dir/copy.bin" || true
  cmp -s "$dir/sample.bin" "$dir/copy.bin" && echo "copy.bin is byte-identical to sample.bin" || echo "copy.bin DIFFERS"
fi
echo
# A task: submitted through node2, placed by the leader on an agent, its stdout stored as an object.
echo "\$ shoal submit --wait --input sample.bin=\$id -- sh -c '...'   (through node2: prints the task's stdout)"
task_args=()
[ -n "$id" ] && task_args=(--input "sample.bin=$id")
"$binary" submit --socket "$dir/node2.sock" --wait "${task_args[@]}" -- \
  sh -c 'echo "hello from task $SHOAL_TASK_ID"; echo "sample.bin holds $(wc -c < sample.bin) bytes"' || true
echo "\$ shoal tasks"
"$binary" tasks --socket "$dir/node2.sock" || true
cat <<MSG

$count agents are running (logs: $dir/node*.log). Try, from another terminal:
  $binary members --socket $dir/node2.sock
  $binary monitor --socket $dir/node1.sock
  $binary info    --socket $dir/node3.sock
  $binary raft peers --socket $dir/node2.sock
  $binary kv list --socket $dir/node1.sock
  $binary objects --socket $dir/node2.sock
  $binary submit --socket $dir/node1.sock --wait -- uname -a
  $binary tasks --socket $dir/node3.sock
  $binary put --socket $dir/node2.sock /etc/services
  curl --unix-socket $dir/node1.sock http://localhost/v1/members
Ctrl-C stops them.
MSG
wait "${pids[@]}"
