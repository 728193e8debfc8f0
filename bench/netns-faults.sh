#!/usr/bin/env bash
# Fault timings of real agents in network namespaces (deploy/netns/cluster.sh), as an operator
# would see them through `shoal members`:
#   join      N agents started, until every one sees N alive;
#   kill      SIGKILL of one agent, until node 1 reports it dead;
#   isolate   all traffic to and from one agent dropped (iptables), until node 1 reports it dead;
#   heal      that agent reconnected, until node 1 reports it alive again (re-probe of the dead);
#   partition half the nodes cut from the other half, until node 1 sees the far side dead;
#   merge     the partition healed, until node 1 sees everyone alive again.
#
#   bench/netns-faults.sh [--nodes N] [--binary PATH]      (root; default N=6)
#
# Each time is the `wait-*` helpers' own polling (0.2 s resolution). Everything is torn down at exit.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
nodes=6; binary=${SHOAL_BINARY:-}
while [ $# -gt 0 ]; do
  case "$1" in
    --nodes) nodes=$2; shift 2 ;;
    --binary) binary=$2; shift 2 ;;
    *) echo "netns-faults.sh: unknown option $1 (use --nodes N, --binary PATH)" >&2; exit 2 ;;
  esac
done
[ -n "$binary" ] || { [ -x "$root/.build-release/release/shoal" ] && binary=$root/.build-release/release/shoal || binary=$root/.build/debug/shoal; }
[ "$nodes" -ge 4 ] || { echo "need at least 4 nodes" >&2; exit 2; }
dir=$(mktemp -d /tmp/shoal-netns-bench.XXXXXX)
c() { "$root/deploy/netns/cluster.sh" --dir "$dir" "$@"; }
trap 'c down >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
c down >/dev/null 2>&1 || true

now() { date +%s.%N; }
since() { python3 -c "print(f'{$(now) - $1:.1f}')"; }
declare -A result

start=$(now); c up "$nodes" --binary "$binary" >/dev/null
c wait-converged "$nodes" 60 >/dev/null; result[join]=$(since "$start")

start=$(now); c kill "$nodes"
c wait-status 1 "n$nodes" dead 60 >/dev/null; result[kill]=$(since "$start")
c start "$nodes" >/dev/null; c wait-status 1 "n$nodes" alive 60 >/dev/null

victim=$((nodes - 1))
start=$(now); c isolate "$victim"
c wait-status 1 "n$victim" dead 60 >/dev/null; result[isolate]=$(since "$start")
start=$(now); c rejoin "$victim"
c wait-status 1 "n$victim" alive 120 >/dev/null; result[heal]=$(since "$start")

half=$((nodes / 2))
left=$(seq -s ' ' 1 "$half"); right=$(seq -s ' ' $((half + 1)) "$nodes")
start=$(now); c partition "$left" "$right"
for i in $right; do c wait-status 1 "n$i" dead 60 >/dev/null; done; result[partition]=$(since "$start")
start=$(now); c heal-all
c wait-alive 1 "$nodes" 180 >/dev/null; result[merge]=$(since "$start")

printf '%-10s %8s   (%s agents in network namespaces, %s)\n' event seconds "$nodes" "$(basename "$binary")"
for k in join kill isolate heal partition merge; do printf '%-10s %8s\n' "$k" "${result[$k]}"; done
