#!/usr/bin/env python3
"""The highest request rate an echo sustains at <= 0.1 % loss: mpps echo against sockperf sr.

    Benchmarks/echo-ndr.py [--rounds 5] [--trial 2] [--p99 50000] [--min-rate 10k] [--max-rate 400k]
                           [--steps 10] [--bin .build-rel/release]

For each round, alternated (the first server of a round alternates too):
  - `mpps echo 127.0.0.1:P --sockperf --cpus 1 --rcvbuf 4M`
  - `taskset -c 1 sockperf sr -i 127.0.0.1 -p P --buffer-size 4194304`
each searched by one `mpps ping 127.0.0.1:P --sockperf --ndr --loss 0.001 --p99 P99 --cpus 0`
(the client on CPU 0, its sending and receiving threads both there; requests carry sockperf's
header, which sockperf sr needs, and mpps echo --sockperf answers the same way). The answer
is the search's confirmed rate (a second trial at the rate found); both servers get the same
bounds, the same receive buffer (4 MiB asked, the kernel doubles it) and the same client.

The loss bound is the figure asked for; the p99 bound (from the intended send time) only
refuses a rate at which a queue stands in the server's socket without overflowing it yet.
It is generous, 50 ms by default, because on a shared 2-core machine the scheduler alone
holds a pinned server off its CPU for tens of milliseconds: with 10 ms, trials that lost
nothing failed at rates that had passed a minute before (p99 27 ms at 72k requests/s). A
standing queue is still refused: past its capacity a server's queue fills its 8 MiB buffer
within the 2-second trial, and the RTT of what waits in it rises to 100 ms and more.

The server's CPU time (user + system, from wait4's rusage) over the whole search, divided by
the requests it answered (the ping's replies over every trial), is printed as CPU per request:
the same search loads both servers with the same schedule of rates up to where they fail, so
it compares them, but it mixes rates (the idle gaps between trials cost nothing: both block).

Prints a Markdown section for BENCHMARKS.md with medians and every search. Needs sockperf,
taskset and a release build of mpps.
"""
import argparse
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def is_bound(port):
    """Whether a UDP socket is bound to 127.0.0.1:port (what arrives after the bind waits in its buffer)."""
    with open("/proc/net/udp") as table:
        return f" 0100007F:{port:04X} " in table.read()


def receive_buffer(port):
    """The receive buffer the kernel granted the socket on `port`, from `ss -m` (rb), or None."""
    out = subprocess.run(["ss", "-uamnH", f"sport = :{port}"], capture_output=True, text=True).stdout
    found = re.search(r"\brb(\d+)", out)
    return int(found.group(1)) if found else None


def start_server(which, bin_dir, port):
    if which == "mpps echo":
        command = [f"{bin_dir}/mpps", "echo", f"127.0.0.1:{port}", "--sockperf", "--cpus", "1", "--rcvbuf", "4M",
                   "--json", "--quiet"]
    else:
        command = ["taskset", "-c", "1", "sockperf", "sr", "-i", "127.0.0.1", "-p", str(port), "--buffer-size", "4194304"]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    deadline = time.monotonic() + 20
    while not is_bound(port):
        if time.monotonic() > deadline or server.poll() is not None:
            raise SystemExit(f"{which} did not bind 127.0.0.1:{port}")
        time.sleep(0.02)
    return server


def stop_server(server):
    """SIGINT, then wait4 for the server's rusage; returns (stdout, CPU seconds)."""
    server.send_signal(signal.SIGINT)
    _, _, usage = os.wait4(server.pid, 0)
    server.returncode = 0
    return server.stdout.read(), usage.ru_utime + usage.ru_stime


def search(which, args):
    port = free_port()
    server = start_server(which, args.bin, port)
    granted = receive_buffer(port)
    ping = [f"{args.bin}/mpps", "ping", f"127.0.0.1:{port}", "--sockperf", "--ndr", "--loss", "0.001",
            "--p99", str(args.p99), "--min-rate", args.min_rate, "--max-rate", args.max_rate, "--steps", str(args.steps),
            "--trial", str(args.trial), "--cpus", "0", "--json"]
    try:
        result = subprocess.run(ping, capture_output=True, text=True, timeout=600)
    finally:
        out, cpu = stop_server(server)
    if result.returncode != 0:
        raise SystemExit(f"mpps ping failed ({result.returncode}): {result.stderr}")
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    trials = [line for line in lines if line["type"] == "trial"]
    answer = lines[-1]
    replies = sum(trial["replies"] for trial in trials)
    echo = json.loads(out.strip().splitlines()[-1]) if which == "mpps echo" else None
    return {"rate": answer["rate"] or 0.0, "confirmed": answer["confirmed"], "trials": trials, "replies": replies,
            "echo": echo, "cpu_ns": cpu * 1e9 / max(replies, 1), "rcvbuf": granted}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--trial", type=float, default=2)
    parser.add_argument("--p99", type=int, default=50000, help="the p99 bound in µs (default 50 ms: see above)")
    parser.add_argument("--min-rate", default="10k")
    # The client on one CPU sends at most about 330k requests/s here: trials above it only spend steps.
    parser.add_argument("--max-rate", default="400k")
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--bin", default=os.path.join(ROOT, ".build-rel/release"))
    args = parser.parse_args()
    servers = ["mpps echo", "sockperf sr"]
    results = {name: [] for name in servers}
    load = []
    for round_ in range(args.rounds):
        order = servers if round_ % 2 == 0 else servers[::-1]
        for name in order:
            load.append(os.getloadavg()[0])
            results[name].append(search(name, args))
            last = results[name][-1]
            print(f"round {round_ + 1}: {name}: {last['rate']:.0f}/s confirmed={last['confirmed']} "
                  f"({len(last['trials'])} trials, {last['cpu_ns']:.0f} ns CPU per reply, rcvbuf {last['rcvbuf']})",
                  file=sys.stderr)

    def median(name, key):
        return statistics.median(result[key] for result in results[name])

    command = (f"Benchmarks/echo-ndr.py --rounds {args.rounds} --trial {args.trial:g} --p99 {args.p99} "
               f"--min-rate {args.min_rate} --max-rate {args.max_rate} --steps {args.steps} --bin {args.bin}")
    print("### The highest rate at ≤ 0.1 % loss: mpps echo against sockperf sr\n")
    print(f"`{command}` (loopback; `mpps ping --sockperf --ndr --loss 0.001 --p99 {args.p99}` on CPU 0, the server on "
          f"CPU 1, both with a 4 MiB receive buffer asked; {args.rounds} rounds alternated, medians; load average "
          f"{min(load):.1f} to {max(load):.1f} at the searches' starts).\n")
    print("| server | highest rate at ≤ 0.1 % loss, p99 ≤ "
          f"{args.p99 / 1000:g} ms (requests/s) | confirmed | CPU ns per reply over the search (wait4) |")
    print("| --- | ---: | --- | ---: |")
    for name, label in (("mpps echo", "mpps echo --sockperf --cpus 1"), ("sockperf sr", "taskset -c 1 sockperf sr")):
        confirmed = sum(1 for result in results[name] if result["confirmed"])
        print(f"| {label} | {median(name, 'rate'):.0f} | {confirmed} of {args.rounds} | {median(name, 'cpu_ns'):.0f} |")
    sockperf_rate = median("sockperf sr", "rate")
    ratio = f"{median('mpps echo', 'rate') / sockperf_rate:.3f}" if sockperf_rate > 0 else "-"
    cpu_ratio = f"{median('mpps echo', 'cpu_ns') / median('sockperf sr', 'cpu_ns'):.3f}"
    print(f"| ratio mpps / sockperf | {ratio} | | {cpu_ratio} |")
    # The load on a shared machine drifts: the two searches of one round ran next to each other.
    pairs = [(m["rate"] / s["rate"], m["cpu_ns"] / s["cpu_ns"])
             for m, s in zip(results["mpps echo"], results["sockperf sr"]) if s["rate"] > 0]
    if pairs:
        print(f"| median of the rounds' ratios | {statistics.median(p[0] for p in pairs):.3f} | | "
              f"{statistics.median(p[1] for p in pairs):.3f} |")
    print()
    print("Every search (rate found, confirmed; each trial as rate: lost/sent, p99 µs, passed):\n")
    for name in servers:
        for number, result in enumerate(results[name], 1):
            steps = ", ".join(f"{t['rate'] / 1000:.1f}k: {t['lost']}/{t['sent']}, {t['p99_us']}, "
                              f"{'pass' if t['passed'] else 'fail'}" for t in result["trials"])
            echo = result["echo"]
            seen = (f", the echo counted {echo['requests']} requests, {echo['replies']} replies, "
                    f"{echo['socket_drops']} dropped at its socket" if echo else "")
            print(f"- {name} {number}: {result['rate']:.0f}/s, confirmed {result['confirmed']}, "
                  f"rcvbuf {result['rcvbuf']}{seen} — {steps}")


if __name__ == "__main__":
    main()
