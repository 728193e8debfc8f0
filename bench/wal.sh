#!/usr/bin/env bash
# The Raft log against SQLite, side by side in one run, on the same disk: fsynced batches per
# second for batches of 1, 16 and 256 entries of 100 bytes, each with its hard state (what one
# Raft `Ready` costs). Shoal's segmented WAL (shoal-wal-bench, one fdatasync per batch) against
# SQLite in WAL mode with synchronous=FULL, one transaction per batch (Python's sqlite3, the
# same libsqlite3 GRDB would use; the per-call cost of Python is small beside an fsync).
#
#   bench/wal.sh [DIRECTORY] [SECONDS-PER-CASE]
#
# DIRECTORY (default .build/wal-bench) must be on the disk being measured: /tmp may be a tmpfs.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-.build/wal-bench}
seconds=${2:-3}
mkdir -p "$dir"
swift build -c release --product shoal-wal-bench >/dev/null
shoal=$(.build/release/shoal-wal-bench "$dir" "$seconds")
echo "$shoal"
sqlite=$(python3 - "$dir" "$seconds" <<'PY'
import os, sqlite3, sys, time
root, seconds = sys.argv[1], float(sys.argv[2])
print("batch  batches/s  entries/s  µs/batch   (SQLite WAL, synchronous=FULL, one transaction per batch)")
for batch in (1, 16, 256):
    path = os.path.join(root, f"sqlite-{batch}.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix): os.remove(path + suffix)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL"); db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE log (idx INTEGER PRIMARY KEY, term INTEGER, data BLOB)")
    db.execute("CREATE TABLE hard (id INTEGER PRIMARY KEY, term INTEGER, vote INTEGER, commit_index INTEGER)")
    data, index, batches = b"\x5a" * 100, 1, 0
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        db.execute("BEGIN")
        db.executemany("INSERT INTO log VALUES (?, 1, ?)", [(i, data) for i in range(index, index + batch)])
        db.execute("INSERT OR REPLACE INTO hard VALUES (1, 1, 0, ?)", (index,))
        db.execute("COMMIT")
        index += batch; batches += 1
    rate = batches / (time.monotonic() - start)
    print(f"{batch:>5}  {int(rate):>9}  {int(rate * batch):>9}  {int(1e6 / rate):>8}")
    db.close()
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix): os.remove(path + suffix)
PY
)
echo "$sqlite"
echo "entries/s, Shoal ÷ SQLite:"
paste <(echo "$shoal" | awk 'NR>1 {print $1, $3}') <(echo "$sqlite" | awk 'NR>1 {print $3}') |
    awk '{printf "  batch %-4s %.2f×\n", $1, $2 / $3}'
