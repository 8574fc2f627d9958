#!/usr/bin/env python3
"""Runs the Speed comparisons of mpps against the C baselines and writes BENCHMARKS.md.

Called by Benchmarks/run.sh, which builds everything first (and normally puts this
process into a network namespace of its own, so /proc/net/snmp counts only our
traffic). Every program started here runs in a process group of its own, is bounded
by its own --duration (or by `timeout`), is killed if it outlives its deadline, and
is killed with its group on every way out of this script.

Comparisons (A = mpps, B = C baseline, alternated A B A B ..., or A B A1 A B A1 ... where a
variant A1 of mpps shows what one of its settings changes):
  a. receive, no GRO      b. receive with GRO        (load: send_baseline --gso 64 on CPU 0)
  c. send, no GSO         d. send with GSO 64        (sink: a bound socket that never reads)
  e. sockperf and iperf3 on the same pinning, for orientation.
  f. receive, no GRO      g. receive with GRO        (load: mpps send paced at a fixed rate the
                                                      receivers keep up with: CPU per datagram)
  h. user-space instructions per datagram of each receive loop, under callgrind
"""

# This file is only the entry point (the command line, and the order of a live run); the
# package mppsbench/ beside it does the work, one job per module (see its __init__.py).

import argparse
import json
import os
import time

from mppsbench.children import exit_on_signals, kill_all, record_pids_in
from mppsbench.report import write_report
from mppsbench.runner import run_comparisons, run_facts
from mppsbench.trials import Bench


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mpps-bin", required=True, help="directory holding the built mpps")
    parser.add_argument("--out", required=True, help="directory holding recv_baseline and send_baseline")
    parser.add_argument("--report", required=True, help="where to write BENCHMARKS.md")
    parser.add_argument("--duration", type=float, default=3.0, help="seconds per trial")
    parser.add_argument("--pairs", type=int, default=5, help="A/B pairs per comparison (at least 3)")
    parser.add_argument("--quick", action="store_true", help="mark the report as a smoke run")
    parser.add_argument("--only", default="abcdefgh", help="comparisons to run, e.g. ac")
    parser.add_argument("--netns", default="", help="a note on the network namespace used")
    parser.add_argument("--repo", default=".", help="the mpps checkout (for its commit)")
    parser.add_argument("--render-only", action="store_true",
                        help="measure nothing: write the report again from OUT/results.json (after editing FINDINGS.md)")
    args = parser.parse_args()

    if args.render_only:
        with open(os.path.join(args.out, "results.json")) as f:
            saved = json.load(f)
        args.duration, args.pairs = saved.get("duration", args.duration), saved.get("pairs", args.pairs)
        write_report(args.report, Bench(args), saved["results"], [],
                     {"quick": saved.get("quick", args.quick), "facts": saved["facts"]})
        print(f"wrote {args.report} from {os.path.join(args.out, 'results.json')}")
        return

    record_pids_in(os.path.join(args.out, "bench.pids"))
    exit_on_signals()

    bench = Bench(args)
    started = time.monotonic()
    notes = []
    try:
        results = run_comparisons(args, bench)
    finally:
        kill_all()

    facts = run_facts(args, bench, started)
    env = {"quick": args.quick, "facts": facts}
    write_report(args.report, bench, results, notes, env)
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump({"facts": facts, "results": results, "duration": bench.d,
                   "pairs": args.pairs, "quick": args.quick}, f, indent=1, default=str)
    print(f"wrote {args.report}")


if __name__ == "__main__":
    main()
