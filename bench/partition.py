#!/usr/bin/env python3
"""Partitions of real agents, Shoal and Serf side by side in one run (issue: membership hardening).

Two network namespaces joined by one veth pair, the agents split between them (5+5 and 2+1 by
default), every agent with its own address on its namespace's end of the veth. For each shape
and each run, for Serf and then for Shoal:

  failing   `iptables -A OUTPUT -o veth -j DROP` in both namespaces: every send across the cut
            fails at once with EPERM, sends inside each half succeed. Seconds until every agent
            sees exactly its own half alive and the other half dead, except that an agent alone
            in its half (every send of its fails: its own link is down) must still hold everyone
            alive ("never" if not within --cut seconds; Serf stays all alive, serf#627).
  merge     `iptables -A INPUT -i veth -j DROP` in both namespaces for --cut seconds (a silent
            cut), then removed: seconds from the removal until every agent sees every agent
            alive again.

Each time is the poller's own (every agent asked about every 0.1 s, eight at a time), so the
resolution is a few tenths of a second. Prints each run and the medians, and the ratio
Shoal / Serf of the median merge times (at most 1.0 meets the target).

  bench/partition.py [--binary PATH] [--runs 5] [--cut 30] [--shapes 5+5,2+1] [--only shoal|serf]

Needs root, iproute2, iptables and `serf` on PATH (scripts/setup.sh serf). Nothing is created in
the host's own network namespace; everything is torn down at exit.
"""
import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NS = {"a": "shoalp-a", "b": "shoalp-b"}
VETH = {"a": "shoalp-va", "b": "shoalp-vb"}


def sh(*args, check=True, **kw):
    return subprocess.run(list(args), check=check, capture_output=True, text=True, **kw)


def in_ns(side, *args, check=True):
    return sh("ip", "netns", "exec", NS[side], *args, check=check)


def teardown():
    for side in NS.values():
        pids = sh("ip", "netns", "pids", side, check=False).stdout.split()
        for p in pids:
            try:
                os.kill(int(p), signal.SIGKILL)
            except (ProcessLookupError, ValueError):
                pass
        sh("ip", "netns", "del", side, check=False)


def address(side, k):
    return f"10.78.0.{k + 1 if side == 'a' else 101 + k}"


def build_network(shape):
    teardown()
    for side in NS:
        sh("ip", "netns", "add", NS[side])
        in_ns(side, "ip", "link", "set", "lo", "up")
    sh("ip", "-n", NS["a"], "link", "add", VETH["a"], "type", "veth", "peer", "name", VETH["b"], "netns", NS["b"])
    for side in NS:
        for k in range(shape[side]):
            in_ns(side, "ip", "addr", "add", f"{address(side, k)}/24", "dev", VETH[side])
        in_ns(side, "ip", "link", "set", VETH[side], "up")


class Cluster:
    def __init__(self, system, shape, binary, work):
        self.system, self.shape, self.binary, self.work = system, shape, binary, work
        self.agents = [(side, k) for side in "ab" for k in range(shape[side])]
        self.procs = []

    def name(self, agent):
        return f"{agent[0]}{agent[1]}"

    def start(self):
        seed = address("a", 0)
        if self.system == "shoal":
            sh(self.binary, "cluster", "init", "--dir", f"{self.work}/cluster")
        for agent in self.agents:
            side, k = agent
            ip, d = address(side, k), f"{self.work}/{self.name(agent)}"
            os.makedirs(d, exist_ok=True)
            join = [] if agent == ("a", 0) else ([f"-join={seed}:7946"] if self.system == "serf" else ["--join", f"{seed}:7946"])
            if self.system == "serf":
                cmd = ["serf", "agent", f"-node={self.name(agent)}", f"-bind={ip}:7946", f"-rpc-addr={ip}:7373", *join]
            else:
                cmd = [self.binary, "agent", "--name", self.name(agent), "--bind", f"{ip}:7946", "--state-dir", f"{d}/state",
                       "--admin-socket", f"{d}/admin.sock", "--cluster-dir", f"{self.work}/cluster", "--log-format", "text", *join]
            log = open(f"{d}/agent.log", "w")
            self.procs.append(subprocess.Popen(["ip", "netns", "exec", NS[side], *cmd], stdout=log, stderr=log,
                                               stdin=subprocess.DEVNULL))
            time.sleep(0.05)

    def stop(self):
        for p in self.procs:
            p.kill()
        for p in self.procs:
            p.wait()
        self.procs = []

    def members(self, agent):
        side, k = agent
        if self.system == "serf":
            cmd = ["ip", "netns", "exec", NS[side], "serf", "members", f"-rpc-addr={address(side, k)}:7373", "-format=json"]
        else:
            cmd = [self.binary, "members", "--socket", f"{self.work}/{self.name(agent)}/admin.sock", "--format", "json"]
        try:
            out = json.loads(subprocess.run(cmd, capture_output=True, timeout=5).stdout)
        except Exception:
            return None
        if isinstance(out, dict):
            out = out.get("members", [])
        return {m.get("name"): ("dead" if m.get("status") == "failed" else m.get("status")) for m in out}


POOL = ThreadPoolExecutor(max_workers=8)


def wait_until(cluster, ok, t0, timeout):
    """Seconds from t0 until ok(agent, members) has held for every agent (each first time), or None."""
    pending = set(cluster.agents)
    last = 0.0
    while pending:
        if time.time() - t0 > timeout:
            return None
        results = {a: POOL.submit(cluster.members, a) for a in sorted(pending)}
        for a, f in results.items():
            st = f.result()
            if st is not None and ok(a, st):
                last = time.time() - t0
                pending.discard(a)
        if pending:
            time.sleep(0.1)
    return last


def all_alive(cluster):
    names = {cluster.name(a) for a in cluster.agents}
    return lambda _a, st: all(st.get(n) == "alive" for n in names)


def split(cluster):
    """Each agent sees its own half alive and the other dead; an agent alone in its half has every
    send fail, which is its own link being down, so it must accuse nobody."""
    def ok(agent, st):
        alone = cluster.shape[agent[0]] == 1
        for other in cluster.agents:
            want = "alive" if other[0] == agent[0] or alone else "dead"
            if st.get(cluster.name(other)) != want:
                return False
        return True
    return ok


def rule(op, chain, flag):
    for side in NS:
        in_ns(side, "iptables", "-w", op, chain, flag, VETH[side], "-j", "DROP")


def one_run(system, shape, args, work):
    build_network(shape)
    cluster = Cluster(system, shape, args.binary, work)
    try:
        cluster.start()
        if wait_until(cluster, all_alive(cluster), time.time(), 60) is None:
            raise RuntimeError(f"{system}: the cluster did not converge within 60 s (logs in {work})")
        time.sleep(2)
        t0 = time.time()
        rule("-A", "OUTPUT", "-o")
        failing = wait_until(cluster, split(cluster), t0, args.cut)
        rule("-D", "OUTPUT", "-o")
        if wait_until(cluster, all_alive(cluster), time.time(), 120) is None:
            raise RuntimeError(f"{system}: no merge within 120 s after the failing cut")
        time.sleep(2)
        rule("-A", "INPUT", "-i")
        time.sleep(args.cut)
        t0 = time.time()
        rule("-D", "INPUT", "-i")
        merge = wait_until(cluster, all_alive(cluster), t0, 180)
        return failing, merge
    finally:
        cluster.stop()


def fmt(x):
    return "never" if x is None else f"{x:.2f}"


def median(xs):
    got = [x for x in xs if x is not None]
    return statistics.median(got) if len(got) == len(xs) and got else None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", default=None)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cut", type=float, default=30)
    parser.add_argument("--shapes", default="5+5,2+1")
    parser.add_argument("--only", choices=["shoal", "serf"])
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("partition.py: must run as root (network namespaces and iptables)")
    systems = [s for s in ("serf", "shoal") if args.only in (None, s)]
    if "serf" in systems and not shutil.which("serf"):
        sys.exit("partition.py: 'serf' not found on PATH (scripts/setup.sh serf)")
    if "shoal" in systems:
        if args.binary is None:
            release = f"{ROOT}/.build-release/release/shoal"
            args.binary = release if os.access(release, os.X_OK) else f"{ROOT}/.build/debug/shoal"
        args.binary = os.path.abspath(args.binary)
    shapes = []
    for text in args.shapes.split(","):
        a, b = (int(x) for x in text.split("+"))
        shapes.append({"a": a, "b": b})
    table = {}
    try:
        for shape in shapes:
            label = f"{shape['a']}+{shape['b']}"
            for run in range(1, args.runs + 1):
                for system in systems:
                    work = tempfile.mkdtemp(prefix=f"shoal-partition-{system}-")
                    failing, merge = one_run(system, shape, args, work)
                    shutil.rmtree(work, ignore_errors=True)
                    table.setdefault((label, system), []).append((failing, merge))
                    print(f"{label} run {run} {system:5}: failing-sends split {fmt(failing):>6} s, merge after a "
                          f"{args.cut:.0f} s silent cut {fmt(merge):>6} s", flush=True)
        print(f"\nmedians of {args.runs} runs ({os.path.basename(args.binary or 'serf')}, cut {args.cut:.0f} s):")
        for shape in shapes:
            label = f"{shape['a']}+{shape['b']}"
            row = {}
            for system in systems:
                runs = table[(label, system)]
                row[system] = (median([r[0] for r in runs]), median([r[1] for r in runs]))
                print(f"  {label} {system:5}: failing-sends split {fmt(row[system][0]):>6} s, merge {fmt(row[system][1]):>6} s")
            if len(systems) == 2 and row["shoal"][1] and row["serf"][1]:
                print(f"  {label} merge shoal/serf: {row['shoal'][1] / row['serf'][1]:.2f}x (at most 1.00 meets the target)")
    finally:
        teardown()


if __name__ == "__main__":
    main()
