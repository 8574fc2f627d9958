#!/usr/bin/env python3
"""What PacketIO's async/await bridge costs against a plain thread loop.

A: Examples/ThreadedReceiver --threads 1 --cpus 1 (a ReusePortGroup of one socket,
   its thread counting with recvmmsg batches of 64).
B: Examples/AsyncEchoServer --no-reply --cpu 1 (a DatagramStream whose thread is
   pinned to CPU 1, batches of 64 copied and handed to a task that counts them).
Both are fed by `mpps send 127.0.0.1:PORT --gso 64 --cpus 0` for SECONDS, alternated
A B A B. Per trial: datagrams received per second of the sender's run, the kernel's
drops at the receiving socket, and the receiving process's CPU time (utime + stime
from /proc/PID/stat, every thread) per datagram received. Then medians and B/A.

    Benchmarks/async.py [--pairs 5] [--seconds 3] [--bin .build/release]
Build first: swift build -c release --product mpps --product ThreadedReceiver --product AsyncEchoServer
"""
import argparse, json, os, re, signal, socket, statistics, subprocess, sys, time

def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

def trial(binary, args, mpps, seconds):
    port = free_port()
    receiver = subprocess.Popen([binary, "--listen", f"127.0.0.1:{port}"] + args,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = receiver.stdout.readline()
        if "listening on" not in line:
            sys.exit(f"async.py: {binary} did not start: {line.strip()}")
        sender = subprocess.run([mpps, "send", f"127.0.0.1:{port}", "--gso", "64", "--cpus", "0",
                                 "--duration", str(seconds), "--json", "--quiet"],
                                capture_output=True, text=True, timeout=seconds + 30)
        sent = [json.loads(l) for l in sender.stdout.splitlines() if '"summary"' in l][-1]
        cpu = cpu_seconds(receiver.pid)
        receiver.send_signal(signal.SIGINT)
        output, _ = receiver.communicate(timeout=30)
    finally:
        if receiver.poll() is None:
            receiver.kill()
    received = int(re.search(r"(?:total:|counted) (\d+) datagrams", output).group(1))
    drops = int(re.search(r"dropped by the kernel: (\d+)", output).group(1))
    return {"rate": received / sent["seconds"], "received": received, "sent": sent["packets"],
            "drops": drops, "cpu_ns": cpu * 1e9 / max(received, 1)}

def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--bin", default=".build/release")
    options = parser.parse_args()
    mpps = os.path.join(options.bin, "mpps")
    plans = {"A thread": (os.path.join(options.bin, "ThreadedReceiver"), ["--threads", "1", "--cpus", "1"]),
             "B async": (os.path.join(options.bin, "AsyncEchoServer"), ["--no-reply", "--cpu", "1"])}
    results = {name: [] for name in plans}
    for pair in range(1, options.pairs + 1):
        for name, (binary, args) in plans.items():
            r = trial(binary, args, mpps, options.seconds)
            results[name].append(r)
            print(f"{pair} {name:8} {r['rate'] / 1e6:6.3f}M/s  {r['cpu_ns']:7.1f} ns/datagram  "
                  f"received {r['received']} of {r['sent']} sent, {r['drops']} dropped at the socket", flush=True)
    medians = {name: {key: statistics.median(r[key] for r in rs) for key in ("rate", "cpu_ns")}
               for name, rs in results.items()}
    a, b = medians["A thread"], medians["B async"]
    print(f"medians: thread {a['rate'] / 1e6:.3f}M/s {a['cpu_ns']:.1f} ns; async {b['rate'] / 1e6:.3f}M/s "
          f"{b['cpu_ns']:.1f} ns; async/thread rate {b['rate'] / a['rate']:.3f}, CPU per datagram {b['cpu_ns'] / a['cpu_ns']:.3f}")

if __name__ == "__main__":
    main()
