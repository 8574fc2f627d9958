#!/usr/bin/env python3
"""The AF_XDP sender against the socket sender: `mpps send --xdp`, `mpps send`
(sendmmsg, no GSO) and `mpps send --gso 64`, alternated, all into one
`mpps recv --xdp` in two network namespaces joined by a veth pair (Benchmarks/xdp.py's).

    Benchmarks/xdp_send.py                          # 3 rounds of 5 s trials, split placement, release build
    Benchmarks/xdp_send.py --rounds 5 --seconds 10 --placement shared
    MPPS_BIN_DIR=.build-rel/release Benchmarks/xdp_send.py

Needs root, iproute2 and 2 CPUs. `--placement split` (the default) pins the sender
to CPU 0 and the receiver to CPU 1; `shared` pins both to CPU 1. Per trial:

- datagrams/s: what the receiver counted over the sender's run, per second, and
  what the sender counted as sent (its frames completed; the socket sender: accepted);
- sender ns/datagram: the sending process's CPU time (wait4's rusage) per datagram received;
- machine ns/datagram: every CPU's busy time (/proc/stat) per datagram received
  (the veth's delivery and the copy into the receiver's UMEM run in the sending
  CPU's softirq: the process figures do not see it, this one does).

Then the medians and the ratios xdp/socket and xdp/gso, with the issue's target
(datagrams/s xdp/socket >= 1.5). Everything it makes is removed on every way out.
"""
import argparse, json, os, signal, statistics, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import xdp  # noqa: E402  (the namespace pair and the CPU readings)

MODES = {"xdp": None, "socket": [], "gso": ["--gso", "64"]}


def trial(mpps, pair, mode, seconds, sender_cpu):
    receiver = xdp.start(["ip", "netns", "exec", pair.rx, mpps, "recv", f"{xdp.RX_ADDR}:{xdp.PORT}", "--xdp", pair.rx_dev,
                          "--cpus", "1", "--json", "--quiet", "--duration", str(seconds + 30)])
    json.loads(receiver.stdout.readline())
    extra = ["--xdp", pair.tx_dev] if mode == "xdp" else MODES[mode]
    busy0, t0 = xdp.machine_busy(), time.monotonic()
    sender = subprocess.Popen(["ip", "netns", "exec", pair.tx, mpps, "send", f"{xdp.RX_ADDR}:{xdp.PORT}", "--cpus", sender_cpu,
                               "--duration", str(seconds), "--json", "--quiet"] + extra,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    xdp.children.append(sender)
    out, err = sender.stdout.read(), sender.stderr.read()
    _, status, usage = os.wait4(sender.pid, 0)
    sender.returncode = status
    busy1, t1 = xdp.machine_busy(), time.monotonic()
    time.sleep(0.3)
    receiver.send_signal(signal.SIGINT)
    rout, _ = receiver.communicate(timeout=30)
    summary = [json.loads(line) for line in rout.splitlines() if line.startswith("{")][-1]
    sent = [json.loads(line) for line in out.splitlines() if line.startswith("{")][-1]
    received = max(summary["packets"], 1)
    ring_full = (summary.get("xdp") or {}).get("rx_ring_full")
    return {"mode": mode, "received": summary["packets"], "sent": sent.get("packets"), "lost": summary.get("lost"),
            "ring_full": ring_full, "sender_notes": err.strip(),
            "pps": summary["packets"] / (t1 - t0), "offered": (sent.get("packets") or 0) / (t1 - t0),
            "sender_ns": (usage.ru_utime + usage.ru_stime) * 1e9 / received,
            "machine_ns": (busy1 - busy0) * 1e9 / xdp.TICK / received}


def main():
    parser = argparse.ArgumentParser(description="send --xdp against send into recv --xdp in a veth namespace pair")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--placement", choices=("shared", "split"), default="split")
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("xdp_send.py needs root: network namespaces and AF_XDP")
    mpps = xdp.build()
    pair = xdp.Pair()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    results = []
    cpu = "0" if args.placement == "split" else "1"
    try:
        for index in range(args.rounds):
            for mode in MODES:
                r = trial(mpps, pair, mode, args.seconds, cpu)
                results.append(r)
                print(f"{index + 1}/{args.rounds} {mode:>6}: {r['pps'] / 1e6:7.3f} M datagrams/s received ({r['offered'] / 1e6:.3f} M/s sent), sender {r['sender_ns']:7.1f} ns/datagram, "
                      f"machine {r['machine_ns']:7.1f} ns/datagram (received {r['received']}, sent {r['sent']}, lost {r['lost']}, "
                      f"receiver ring full {r['ring_full']}){' ' + r['sender_notes'] if r['sender_notes'] else ''}", flush=True)
    finally:
        for child in xdp.children:
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()
        pair.remove()
    medians = {mode: {key: statistics.median(r[key] for r in results if r["mode"] == mode)
                      for key in ("pps", "offered", "sender_ns", "machine_ns")} for mode in MODES}
    print(f"placement {args.placement}: sender on CPU {cpu}, recv --xdp on CPU 1")
    for mode, m in medians.items():
        print(f"median {mode:>6}: {m['pps'] / 1e6:.3f} M/s received, {m['offered'] / 1e6:.3f} M/s sent, sender {m['sender_ns']:.1f} ns, machine {m['machine_ns']:.1f} ns per datagram")
    x = medians["xdp"]
    for other in ("socket", "gso"):
        o = medians[other]
        print(f"xdp/{other}: datagrams/s received {x['pps'] / o['pps']:.3f}, sent {x['offered'] / o['offered']:.3f}, sender CPU/datagram {x['sender_ns'] / o['sender_ns']:.3f}, "
              f"machine CPU/datagram {x['machine_ns'] / o['machine_ns']:.3f}")
    ratio = x["pps"] / medians["socket"]["pps"]
    print(f"datagrams/s xdp/socket: {ratio:.3f} (target >= 1.5) {'met' if ratio >= 1.5 else 'NOT met'}")


if __name__ == "__main__":
    main()
