#!/usr/bin/env bash
# The Jepsen-style test of `make test` (JepsenTests), run for longer: three agents, four clients
# doing put/get/compare-and-set on three keys, and a nemesis that kills -9 and restarts, pauses
# and cuts off (iptables) one agent at a time; the history is checked for linearizability and
# every acknowledged write must be there at the end.
#
#   bench/jepsen.sh [SECONDS] [RUNS]     (defaults: 300 seconds, 1 run)
#
# SHOAL_JEPSEN_SEED=N replays the clients' and the nemesis's choices of a failed run (it prints
# its seed). Needs root (iptables) and the debug build with its tests (`make test` builds both).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-300}; runs=${2:-1}
[[ "$seconds" =~ ^[0-9]+$ && "$runs" =~ ^[0-9]+$ ]] || { echo "jepsen.sh: SECONDS and RUNS are whole numbers" >&2; exit 2; }
"$root/scripts/setup.sh" >&2
cd "$root"
swift build --build-tests >&2
for run in $(seq "$runs"); do
  echo "run $run of $runs, $seconds s" >&2
  SHOAL_BINARY="$root/.build/debug/shoal" SHOAL_JEPSEN_SECONDS="$seconds" \
    swift test --skip-build --filter JepsenTests 2>&1 | grep -E "jepsen:|✘|Expectation|passed after|failed after"
done
