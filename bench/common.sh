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

# Sets `binary` and `only` from the arguments every Shoal-against-a-peer bench takes:
# [--binary PATH] [--only NAME].
parse_bench_args() {
  binary=""
  only=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --binary) binary=$2; shift 2 ;;
      --only) only=$2; shift 2 ;;
      *) die "unknown argument $1" ;;
    esac
  done
}

# Makes sure $RAY_VENV holds Ray 2 (and numpy), installing them from PyPI when missing
# (benchmarks only; never `make test`).
ensure_ray_venv() {
  if ! { [ -x "$RAY_VENV/bin/python" ] && "$RAY_VENV/bin/python" -c 'import ray, numpy' 2>/dev/null; }; then
    echo "installing Ray from PyPI into $RAY_VENV (bench only)..."
    mkdir -p "$(dirname "$RAY_VENV")"
    [ -x "$RAY_VENV/bin/python" ] || python3 -m venv "$RAY_VENV" || die "python3 -m venv failed (apt-get install python3-venv)"
    "$RAY_VENV/bin/pip" install -q "ray==2.*" numpy || die "pip install ray failed"
  fi
  "$RAY_VENV/bin/ray" stop --force >/dev/null 2>&1 || true
}
