#!/usr/bin/env python3
"""mpps echo --gro with and without GSO replies (--gso), A/B alternated in one run.

    Benchmarks/echo-gso.py [--rounds 5] [--seconds 5] [--rate 200000] [--segments 64] [--payload 32] [--bin .build/release]

The load is a GSO sender, `mpps send --gso SEGMENTS --payload BYTES --rate R` on CPU 0 (each
send one message of SEGMENTS datagrams, which the echo's GRO socket takes whole); the echo runs
on CPU 1, `mpps echo --gro` (one reply message per request) and `mpps echo --gro --gso` (one
GSO send per request message) in turn, the order swapped every round. Each echo's CPU time is
read from wait4's rusage (user + system) and divided by the requests it counted. On loopback
the kernel delivers a reply inside the echo's send, so the echo's system time includes the
sender's socket taking (here: dropping, mpps send reads nothing) the replies, GSO ones cut into
datagrams there. Prints the trials, the medians and the ratio --gso / without.
"""
import argparse
import json
import os
import signal
import socket
import statistics
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def trial(bin_dir, gso, args):
    """One echo under the GSO load; returns (ns of CPU per request, summary)."""
    port = free_port()
    command = [f"{bin_dir}/mpps", "echo", f"127.0.0.1:{port}", "--gro", "--cpus", "1", "--json", "--quiet"]
    echo = subprocess.Popen(command + (["--gso"] if gso else []), stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    line = echo.stdout.readline()
    if '"ready"' not in line:
        raise SystemExit(f"mpps echo did not get ready: {line!r}")
    subprocess.run([f"{bin_dir}/mpps", "send", f"127.0.0.1:{port}", "--gso", str(args.segments),
                    "--payload", str(args.payload), "--rate", str(args.rate), "--duration", str(args.seconds),
                    "--cpus", "0", "--json", "--quiet"], capture_output=True, text=True, check=True)
    echo.send_signal(signal.SIGINT)
    _, _, usage = os.wait4(echo.pid, 0)
    echo.returncode = 0
    summary = json.loads(echo.stdout.read().strip().splitlines()[-1])
    requests = summary["requests"]
    if requests == 0 or summary["replies"] + summary["not_answered"]["total"] != requests:
        raise SystemExit(f"the echo's account does not close: {summary}")
    return (usage.ru_utime + usage.ru_stime) * 1e9 / requests, summary


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--rate", type=int, default=200000)
    parser.add_argument("--segments", type=int, default=64)
    parser.add_argument("--payload", type=int, default=32)
    parser.add_argument("--bin", default=os.path.join(ROOT, ".build", "release"))
    args = parser.parse_args()
    results = {False: [], True: []}
    for round_ in range(args.rounds):
        for gso in ([False, True] if round_ % 2 == 0 else [True, False]):
            ns, summary = trial(args.bin, gso, args)
            results[gso].append(ns)
            print(f"round {round_ + 1} {'--gso' if gso else 'no GSO'}: {ns:.0f} ns/request, "
                  f"{summary['requests']} requests, {summary['replies']} replies, "
                  f"{summary['send_calls']} sendmmsg, {summary['gso_messages']} GSO replies, "
                  f"not answered {summary['not_answered']['total']}, socket drops {summary['socket_drops']}", flush=True)
    without, with_gso = statistics.median(results[False]), statistics.median(results[True])
    print(f"\nmedian CPU per request: without GSO replies {without:.0f} ns, with --gso {with_gso:.0f} ns, "
          f"ratio {with_gso / without:.3f} ({args.rounds} rounds of {args.seconds} s, {args.rate}/s in sends of "
          f"{args.segments} x {args.payload} bytes)")


if __name__ == "__main__":
    main()
