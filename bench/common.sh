# Shared by the benchmark scripts (sourced; needs `root` and a `die` function).

# Sets `binary` to an absolute path: the given one, else $SHOAL_BINARY, else the release build,
# else the debug build.
find_shoal_binary() {
  if [ -z "$binary" ]; then
    if [ -n "${SHOAL_BINARY:-}" ]; then binary=$SHOAL_BINARY
    elif [ -x "$root/.build-release/release/shoal" ]; then binary=$root/.build-release/release/shoal
    else binary=$root/.build/debug/shoal; fi
  fi
  [ -x "$binary" ] || die "no shoal binary at '$binary' (build it or pass --binary PATH)"
  binary=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")
}

# One run of bench NAME at a time (its addresses, ports or iptables chains are fixed).
hold_bench_lock() {
  mkdir -p /run/lock
  exec 9> "/run/lock/shoal-$1-bench.lock"
  flock -n 9 || die "another bench/$1.sh run is in progress"
}
