#!/usr/bin/env python3
"""Do scrapes of /metrics slow receiving? The same loopback send -> recv run
without a scraper, with one scraping 10 times a second, and with one scraping
as fast as it can (one connection after another), alternated A B C A B C ...;
for each trial the receiver's rate and its CPU per datagram.

    Benchmarks/metrics-scrape.py [--seconds 5] [--rounds 3] [--rate PPS] [--bin DIR]

The receiver (`mpps recv --metrics`) has its thread pinned to CPU 1; the sender
(`mpps send --gso 16`, unpaced, or paced with --rate: on 2 shared cores an
unpaced sender is slowed by the scraper beside it, and a rate every mode keeps
up with leaves the receiver's CPU and drops to compare) and the scraper run on CPU 0, so the receiving
CPU does nothing but receive (mpps's server threads keep off the CPUs of --cpus).
The rate is the receiver's own (`pps_mean` of its JSON summary); the CPU per
datagram twice: the receiving thread's (the one pinned to CPU 1, its
/proc/PID/task/TID/stat sampled every 0.2 s until it ends, 10 ms ticks) and the
whole receiver process's (wait4's rusage: scrapes included), each divided by the
datagrams received. Every program is bounded by --duration and killed
on any exit. Needs 2 CPUs; runs on 127.0.0.1 only.
"""
import argparse, json, os, signal, socket, subprocess, sys, threading, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
children = []


def free_port(kind):
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def scrape(port):
    """One GET /metrics; True when the page came."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall(b"GET /metrics HTTP/1.1\r\nHost: bench\r\n\r\n")
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        return data.startswith(b"HTTP/1.1 200 OK")
    except OSError:
        return False


def scraper(port, per_second, stop, counts):
    os.sched_setaffinity(0, {0})
    while not stop.is_set():
        started = time.monotonic()
        if scrape(port):
            counts[0] += 1
        if per_second:
            stop.wait(max(0.0, 1.0 / per_second - (time.monotonic() - started)))


def pinned_thread_ticks(pid, cpu="1"):
    """User + system ticks of the receiver's thread pinned to `cpu`; None when unreadable."""
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/status") as status:
                if f"Cpus_allowed_list:\t{cpu}\n" not in status.read():
                    continue
            with open(f"/proc/{pid}/task/{tid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    except OSError:
        return None
    return None


def sample_thread(pid, result, stop):
    while not stop.is_set():
        ticks = pinned_thread_ticks(pid)
        if ticks is not None:
            result[0] = ticks
        stop.wait(0.2)


def trial(binary, mode, seconds, rate):
    port, metrics = free_port(socket.SOCK_DGRAM), free_port(socket.SOCK_STREAM)
    receiver = subprocess.Popen([binary, "recv", f"127.0.0.1:{port}", "--cpus", "1", "--json", "--quiet",
                                 "--duration", str(seconds + 1), "--metrics", f"127.0.0.1:{metrics}"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    children.append(receiver)
    ready = receiver.stdout.readline()
    if '"type":"ready"' not in ready:
        sys.exit(f"metrics-scrape: the receiver did not start: {ready}{receiver.stderr.read()}")
    pacing = ["--rate", rate] if rate else []
    sender = subprocess.Popen([binary, "send", f"127.0.0.1:{port}", "--cpus", "0", "--gso", "16",
                               "--duration", str(seconds), "--quiet"] + pacing, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    children.append(sender)
    stop, counts = threading.Event(), [0]
    sampled, sampling = [None], threading.Event()
    sampler = threading.Thread(target=sample_thread, args=(receiver.pid, sampled, sampling))
    sampler.start()
    thread = None
    if mode != "none":
        thread = threading.Thread(target=scraper, args=(metrics, 10 if mode == "10/s" else 0, stop, counts))
        thread.start()
    sender.wait(timeout=seconds + 30)
    stop.set()
    if thread:
        thread.join()
    out = receiver.stdout.read()   # ends when the receiver closes it, at its exit
    sampling.set()
    sampler.join()
    _, status, usage = os.wait4(receiver.pid, 0)
    receiver.returncode = status
    summary = json.loads(out.strip().split("\n")[-1])
    cpu = usage.ru_utime + usage.ru_stime
    packets = summary["packets"]
    thread_seconds = (sampled[0] or 0) / os.sysconf("SC_CLK_TCK")
    return {"mode": mode, "pps": summary["pps_mean"], "packets": packets, "drops": summary.get("socket_drops", 0),
            "thread_ns_per_datagram": thread_seconds * 1e9 / packets if packets else 0,
            "cpu_ns_per_datagram": cpu * 1e9 / packets if packets else 0, "scrapes": counts[0]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--bin", default=os.path.join(ROOT, ".build", "release"))
    parser.add_argument("--rate", default=None, help="pace the sender (mpps send --rate), e.g. 100k")
    args = parser.parse_args()
    if not 1 <= args.seconds <= 600 or not 1 <= args.rounds <= 100:
        sys.exit("metrics-scrape: --seconds from 1 to 600, --rounds from 1 to 100")
    binary = os.path.join(args.bin, "mpps")
    if not os.access(binary, os.X_OK):
        sys.exit(f"metrics-scrape: {binary} is not built: swift build -c release (or --bin DIR)")
    if len(os.sched_getaffinity(0)) < 2:
        sys.exit("metrics-scrape: needs CPUs 0 and 1")
    results = []
    for round in range(args.rounds):
        for mode in ["none", "10/s", "flood"]:
            result = trial(binary, mode, args.seconds, args.rate)
            results.append(result)
            print(f"round {round + 1}  {mode:6}  {result['pps'] / 1e6:7.3f}M pps  thread {result['thread_ns_per_datagram']:7.1f} "
                  f"process {result['cpu_ns_per_datagram']:7.1f} ns/datagram  {result['drops']:7d} dropped  {result['scrapes']:6d} scrapes", flush=True)
    print("\nmedians:")
    for mode in ["none", "10/s", "flood"]:
        rows = sorted((r for r in results if r["mode"] == mode), key=lambda r: r["pps"])
        median = lambda key: sorted(r[key] for r in rows)[len(rows) // 2]
        print(f"  {mode:6}  {median('pps') / 1e6:7.3f}M pps  thread {median('thread_ns_per_datagram'):7.1f} "
              f"process {median('cpu_ns_per_datagram'):7.1f} ns/datagram  {median('drops'):7d} dropped  {median('scrapes') / args.seconds:8.1f} scrapes/s")
    print(f"\nload average at the end: {os.getloadavg()[0]:.2f} (other work on the machine skews every figure)")


def kill_children(*_):
    for child in children:
        if child.poll() is None:
            child.kill()
    sys.exit(1)


if __name__ == "__main__":
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, kill_children)
    try:
        main()
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
