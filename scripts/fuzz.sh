#!/usr/bin/env bash
# The libFuzzer targets of Fuzz/ (README "Fuzzing"): builds them with the fuzzer and address
# sanitizers, then runs each in turn for FUZZ_SECONDS over a scratch copy of its committed
# corpus (Fuzz/Corpus/<target>), and prints per target its executions, exec/s, coverage
# (libFuzzer's cov and ft), corpus and whether it crashed. Exits non-zero on any crash.
#
#   scripts/fuzz.sh [run]     build, then run (make fuzz; make test runs it with FUZZ_SECONDS=5)
#   scripts/fuzz.sh build     build only
#   scripts/fuzz.sh seeds     rewrite the seed-* files of the committed corpus from the targets'
#                             own seed generators (crash-* inputs stay)
#
# FUZZ_SECONDS (default 60) per target; FUZZ_TARGETS (default: all) names some, space-separated;
# FUZZ_UNIT_TIMEOUT (default 10) seconds one input may run before it counts as a hang. libFuzzer
# times inputs by the wall clock, so a fuzzer starved of CPU (a build or a test run beside it)
# reports hangs that are not: give long runs on a busy machine more (120), and rerun a reported
# timeout alone before believing it.
# New corpus inputs, crashes (crash-*, leak-*, timeout-*, oom-*) and each target's log go to
# Fuzz/.build-fuzz/runs/<target>/ (FUZZ_OUT), never into git: copy a crash into
# Fuzz/Corpus/<target>/crash-<what> once it is fixed. One fuzzer process runs at a time.
set -euo pipefail
cd "$(dirname "$0")/../Fuzz"
swift=${SWIFT:-swift}
scratch=.build-fuzz
seconds=${FUZZ_SECONDS:-60}
out=${FUZZ_OUT:-$scratch/runs}
all=(fuzz-envelope fuzz-frames fuzz-certificate fuzz-handshake fuzz-datagram fuzz-raft fuzz-leader fuzz-objects fuzz-wal
  fuzz-config fuzz-admin-json)
read -r -a targets <<<"${FUZZ_TARGETS:-${all[*]}}"
for target in "${targets[@]}"; do
  [[ " ${all[*]} " == *" $target "* ]] || { echo "no fuzz target $target (known: ${all[*]})" >&2; exit 2; }
done

build() {
  mkdir -p "$scratch"
  local started=$SECONDS
  # The linker (gold) warns once per ASan helper symbol; the log keeps everything.
  if ! "$swift" build --scratch-path "$scratch" -Xswiftc -sanitize=fuzzer,address >"$scratch/build.log" 2>&1; then
    grep -v "Cannot export local symbol" "$scratch/build.log" | tail -40 >&2
    echo "fuzz build failed (log: Fuzz/$scratch/build.log)" >&2
    exit 1
  fi
  echo "fuzz targets built in $((SECONDS - started)) s"
}

binary() { echo "$scratch/debug/$1"; }

seeds() {
  for target in "${targets[@]}"; do
    mkdir -p "Corpus/$target"
    rm -f "Corpus/$target"/seed-*
    local files
    files=$(mktemp -d "/tmp/shoal-fuzz-$target.XXXXXX")
    SHOAL_FUZZ_SCRATCH=$files SHOAL_FUZZ_WRITE_SEEDS="Corpus/$target" "$(binary "$target")"
    rm -rf "$files"
    echo "$target: $(ls "Corpus/$target" | wc -l) inputs, $(find "Corpus/$target" -type f -printf '%s\n' | awk '{ total += $1 } END { print total + 0 }') bytes"
  done
}

# One target's run; prints its line of figures and answers whether it found nothing.
run() {
  local target=$1 dir="$out/$1"
  rm -rf "$dir"
  mkdir -p "$dir/corpus" "$dir/crashes"
  cp "Corpus/$target"/* "$dir/corpus/"
  local status=0
  # The files the file decoders read (key files, segments, shoal.yaml), in memory where possible.
  local files=/tmp
  [ -w /dev/shm ] && files=/dev/shm
  files=$(mktemp -d "$files/shoal-fuzz-$target.XXXXXX")
  # Leak checks are off: the Swift runtime's metadata caches, filled as new paths run, read as leaks.
  SHOAL_FUZZ_SCRATCH=$files ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0} "$(binary "$target")" "$dir/corpus" \
    -max_total_time="$seconds" -print_final_stats=1 -timeout="${FUZZ_UNIT_TIMEOUT:-10}" -report_slow_units="${FUZZ_UNIT_TIMEOUT:-10}" -artifact_prefix="$dir/crashes/" >"$dir/log" 2>&1 || status=$?
  rm -rf "$files"
  local runs speed line cov ft inputs bytes found
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/log" | tail -1)
  line=$(grep -E '^#[0-9]+.*cov: ' "$dir/log" | tail -1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$line")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$line")
  inputs=$(ls "$dir/corpus" | wc -l)
  bytes=$(find "$dir/corpus" -type f -printf '%s\n' | awk '{ total += $1 } END { print total + 0 }')
  found=$(ls "$dir/crashes")
  if [ "$status" -ne 0 ] || [ -n "$found" ]; then
    printf '%-17s CRASH (exit %s) after %s runs: %s\n' "$target" "$status" "${runs:-?}" "$(echo $found)"
    grep -E -m 3 'ERROR: |Fatal error|decoder contract violated|deadly signal' "$dir/log" | sed 's/^/    /' || true
    echo "    log: Fuzz/$dir/log; reproduce: Fuzz/$(binary "$target") Fuzz/$dir/crashes/<file>"
    return 1
  fi
  printf '%-17s %10s runs %7s/s  cov %5s  ft %6s  corpus %5s inputs %8s bytes  no crash\n' \
    "$target" "${runs:-?}" "${speed:-?}" "${cov:-?}" "${ft:-?}" "$inputs" "$bytes"
}

case "${1:-run}" in
  build) build ;;
  seeds) build; seeds ;;
  run)
    build
    echo "running ${#targets[@]} fuzz targets for ${seconds} s each"
    crashed=0
    for target in "${targets[@]}"; do run "$target" || crashed=1; done
    exit $crashed
    ;;
  *) echo "usage: scripts/fuzz.sh [run|build|seeds]" >&2; exit 2 ;;
esac
