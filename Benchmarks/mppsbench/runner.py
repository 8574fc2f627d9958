"""One live run: the comparisons picked by --only, in their fixed order, and the facts
about the machine and the build that head the report."""

import datetime
import os
import platform
import time

from .children import command_output
from .settings import GSO, LOAD_CPU, PACED_RATE, PAYLOAD, RECV_CPU
from .stats import fmt


def run_comparisons(args, bench):
    """Runs each comparison in `args.only`; returns their rows (or why one was skipped) by letter."""
    results = {}
    help_send = command_output([bench.mpps, "send", "--help"])
    help_recv = command_output([bench.mpps, "recv", "--help"])
    has_gso = "--gso" in help_send
    has_gro = "--gro" in help_recv

    if "a" in args.only:
        print("a. receive, no GRO", flush=True)
        results["a"] = bench.compare("a", bench.recv_trial, lambda p: bench.recv_cmds(p, False))
    if "b" in args.only:
        if has_gro:
            print("b. receive, GRO", flush=True)
            results["b"] = bench.compare("b", bench.recv_trial, lambda p: bench.recv_cmds(p, True, variants=True))
        else:
            results["b"] = "`mpps recv --help` does not list `--gro` yet."
            print("b. skipped: " + results["b"], flush=True)
    if "c" in args.only:
        print("c. send, no GSO", flush=True)
        results["c"] = bench.compare("c", bench.send_trial, lambda p: bench.send_cmds(p, 0, variants=True))
    if "d" in args.only:
        if has_gso:
            print(f"d. send, GSO {GSO}", flush=True)
            results["d"] = bench.compare("d", bench.send_trial, lambda p: bench.send_cmds(p, GSO, variants=True))
        else:
            results["d"] = "`mpps send --help` does not list `--gso` yet."
            print("d. skipped: " + results["d"], flush=True)
    for key, gro in (("f", False), ("g", True)):
        if key in args.only:
            print(f"{key}. receive at {PACED_RATE[key]}/s" + (", GRO" if gro else ""), flush=True)
            results[key] = bench.compare(key, lambda argv, is_mpps, port, rate=PACED_RATE[key]:
                                         bench.recv_trial(argv, is_mpps, port, rate),
                                         lambda p, gro=gro: bench.recv_cmds(p, gro))
    if "h" in args.only:
        print("h. instructions per datagram (callgrind)", flush=True)
        results["h"] = bench.instructions()
    if "e" in args.only:
        missing = [t for t in ("sockperf", "iperf3") if not command_output(["sh", "-c", f"command -v {t}"]).strip()]
        if missing:
            results["e_skipped"] = f"not installed: {', '.join(missing)}"
        else:
            print("e. sockperf, iperf3", flush=True)
            e = {"sockperf": [], "iperf3": [], "commands": [
                f"taskset -c {RECV_CPU} sockperf sr -i 127.0.0.1 -p $PORT",
                f"taskset -c {LOAD_CPU} sockperf tp -i 127.0.0.1 -p $PORT -m {PAYLOAD} -t {max(round(bench.d), 1)}",
                f"taskset -c {RECV_CPU} iperf3 -s -1 -p $PORT",
                f"taskset -c {LOAD_CPU} iperf3 -c 127.0.0.1 -p $PORT -u -l {PAYLOAD} -b 0 -t {max(round(bench.d), 1)} -J"]}
            for i in range(args.pairs):
                for tool, trial in (("sockperf", bench.sockperf_trial), ("iperf3", bench.iperf3_trial)):
                    try:
                        row = trial()
                    except RuntimeError as error:
                        row = {"error": str(error)}
                    row["trial"] = i + 1
                    e[tool].append(row)
                    print(f"  e #{i + 1} {tool}: " + (f"ERROR {row['error']}" if "error" in row else
                          f"sent={fmt((row.get('sent_reported') or 0) / 1e6)} delivered={fmt(row['delivered'] / 1e6)}"),
                          flush=True)
            results["e"] = e
    return results


def run_facts(args, bench, started):
    """(name, value) pairs describing this run, for the table at the top of the report."""
    with open("/proc/loadavg") as f:
        load_after = " ".join(f.read().split()[:3])
    cpu_model = "?"
    for line in command_output(["lscpu"]).splitlines():
        if line.startswith("Model name:"):
            cpu_model = line.split(":", 1)[1].strip()
    commit = command_output(["git", "-C", args.repo, "rev-parse", "--short", "HEAD"]).strip() or "?"
    dirty = command_output(["git", "-C", args.repo, "status", "--porcelain", "--", "Sources", "Package.swift"]).strip()
    facts = [
        ("date", datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")),
        ("CPU", f"{cpu_model}, {os.cpu_count()} CPUs"),
        ("kernel", platform.release()),
        ("mpps", f"{commit}" + (" with uncommitted changes in Sources/" if dirty else "") + f" (`{bench.mpps}`)"),
        ("C baselines", "`gcc -O2` — " + command_output(["gcc", "--version"]).splitlines()[0] if command_output(["gcc", "--version"]) else "gcc ?"),
        ("network", args.netns or "the host's network namespace (other UDP traffic on the host can disturb /proc/net/snmp meters)"),
        ("trials", f"{fmt(bench.d, 1)} s each, {args.pairs} A/B pairs per comparison"),
        ("load average after the run", load_after + " (anything well above the benchmark's own ~2 means other work shared the CPUs)"),
        ("run time", f"{time.monotonic() - started:.0f} s"),
    ]
    return facts
