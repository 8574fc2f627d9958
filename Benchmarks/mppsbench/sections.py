"""The report's section for each comparison: the commands, how each figure was measured,
how to read it, every trial and the medians and ratios. Each section function returns its
lines and appends its headline figures to the summary rows it is given."""

from .settings import LOAD_CPU, RECV_CPU
from .stats import fmt, median, pair_medians, pair_ratios, variants


def shell(argv):
    """The command as one line, any word with characters out of the ordinary quoted."""
    return " ".join(a if a and all(c.isalnum() or c in "-_./:=,[]$" for c in a) else repr(a) for a in argv)


def template(argv, port):
    """The command with this trial's port written as $PORT."""
    addr = f"127.0.0.1:{port}"
    return shell([a.replace(addr, "127.0.0.1:$PORT") if addr in a else ("$PORT" if a == str(port) else a)
                  for a in map(str, argv)])


def program_lines(rows):
    """`A: …`, `B: …`, then `A1: …` for each variant: each program's command, with $PORT."""
    lines = []
    for tag, label in [("A", "mpps"), ("B", "C")] + [(f"A{i + 1}", v) for i, v in enumerate(variants(rows))]:
        row = next(r for r in rows if r["program"] == label)
        lines.append(f"{tag}: {template(row['argv'], row['port'])}")
    return lines


def pair_ratio_lines(rows, key):
    """A paragraph: each program's per-pair rate ratios to C."""
    lines = [f"Rate ratio of each pair (the trials ran back to back), mpps/C: {pair_ratios(rows, key)}."]
    for v in variants(rows):
        lines.append(f"{v}/C: {pair_ratios(rows, key, v)}.")
    return [" ".join(lines), ""]


def recv_section(title, rows, summary):
    """a, b, f, g: a receiver under load (overloaded, or paced at a rate both keep up with)."""
    s = []
    s.append(f"## {title}")
    s.append("")
    if rows[0].get("paced"):
        s.append(f"Load (identical for A and B): mpps's sender paced at {rows[0]['paced']} datagrams/s with GSO "
                 "and all-zero payloads, a rate both receivers keep up with, started 0.1 s before the receiver. "
                 "With the same offered load, the same datagrams arrive in batches of much the same size, "
                 "and **CPU per datagram** compares the two loops directly:")
    else:
        s.append("Load (identical for A and B): the C sender with GSO, started 0.1 s before the receiver and "
                 "stopped once it has exited, so the receiver is overloaded for its whole run:")
    s.append("")
    s.append("```")
    s.append(template(rows[0]["load"], rows[0]["port"]))
    s.extend(program_lines(rows))
    s.append("```")
    s.append("")
    s.append("Meters: datagrams/s = the receiver's own final JSON (`packets` / `seconds`); CPU = the receiver "
             "process's user + system time from `wait4()`'s rusage, divided by its datagrams (so it includes "
             "its start-up and, for mpps, its reporting thread); drops = the kernel's `RcvbufErrors` from just "
             "before the receiver started to just after it ended (so they include datagrams that filled its "
             "buffer between its `bind` and its first read; with GRO the kernel's count need not be one per datagram).")
    s.append("")
    s.append("How to read it: a receiver that keeps up (few drops, CPU use under 100%) is paced by the sender, "
             "which on loopback also pays for the delivery; its rate then says only that it kept up, and "
             "**CPU per datagram** is the figure that compares the two loops. Only a receiver at ~100% CPU "
             "with steady drops shows its own ceiling in the rate column.")
    s.append("")
    s.append("| trial | program | datagrams | seconds | M datagrams/s | CPU s | CPU use | ns CPU / datagram | drops | drops % |")
    s.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        if "error" in r:
            s.append(f"| {r['trial']} | {r['program']} | error: {r['error']} | | | | | | | |")
            continue
        s.append(f"| {r['trial']} | {r['program']} | {fmt(r['packets'])} | {fmt(r['seconds'])} | "
                 f"{fmt(r['rate'] / 1e6)} | {fmt(r['cpu'])} | {fmt(r['util'] * 100, 0)}% | {fmt(r['ns'], 0)} | "
                 f"{fmt(r['drops'])} | {fmt(r['drop_share'] * 100 if r['drop_share'] is not None else None, 2)} |")
    rm, rc, rr = pair_medians(rows, "rate")
    nm, nc, nr = pair_medians(rows, "ns")
    s.append(f"| median | mpps | | | **{fmt(rm / 1e6 if rm else None)}** | | | **{fmt(nm, 0)}** | | |")
    s.append(f"| median | C | | | **{fmt(rc / 1e6 if rc else None)}** | | | **{fmt(nc, 0)}** | | |")
    s.append(f"| ratio | mpps/C | | | **{fmt(rr)}** | | | **{fmt(nr)}** | | |")
    summary.append((title, "M datagrams/s received", rm and rm / 1e6, rc and rc / 1e6, rr))
    summary.append((title, "ns CPU per datagram (receiver)", nm, nc, nr))
    for v in variants(rows):
        vm, _, vr = pair_medians(rows, "rate", v)
        wm, _, wr = pair_medians(rows, "ns", v)
        s.append(f"| median | {v} | | | {fmt(vm / 1e6 if vm else None)} | | | {fmt(wm, 0)} | | |")
        s.append(f"| ratio | {v} / C | | | {fmt(vr)} | | | {fmt(wr)} | | |")
        summary.append((f"{title}: `{v}`", "M datagrams/s received", vm and vm / 1e6, rc and rc / 1e6, vr))
        summary.append((f"{title}: `{v}`", "ns CPU per datagram (receiver)", wm, nc, wr))
    s.append("")
    s.extend(pair_ratio_lines(rows, "rate"))
    return s


def send_section(title, rows, gso, warm, summary):
    """c, d: a sender into a sink that never reads, metered by the kernel over the middle of the run."""
    s = []
    s.append(f"## {title}")
    s.append("")
    s.append("A sink socket bound on the target port that never reads (so every datagram is delivered to "
             "it or dropped at its full buffer, and no ICMP is generated):")
    s.append("")
    s.append("```")
    s.extend(program_lines(rows))
    s.append("```")
    s.append("")
    if gso:
        s.append("Meter (primary, the same for both): the kernel's count of segments reaching the non-GRO sink, "
                 "`Udp: InDatagrams + InErrors` of /proc/net/snmp, over the middle of the run "
                 f"(from {fmt(warm, 1)} s after start to {fmt(warm, 1)} s before the end). "
                 "`OutDatagrams` counts one per GSO message, not per datagram, so it is shown only for "
                 "reference. Cross-check: each program's own count of accepted datagrams (segments) / seconds.")
    else:
        s.append("Meter (primary, the same for both): the delta of `Udp: OutDatagrams` in /proc/net/snmp over the "
                 f"middle of the run (from {fmt(warm, 1)} s after start to {fmt(warm, 1)} s before "
                 "the end) divided by that time. Cross-checks: the sink's `InDatagrams + InErrors` over the same "
                 "window, and each program's own count / seconds.")
    s.append("CPU = the sender's user + system time (rusage) divided by its own count of datagrams.")
    s.append("")
    primary = "sink_rate" if gso else "out_rate"
    s.append("| trial | program | **M/s (primary)** | OutDatagrams M/s | sink M/s | self-reported M/s | CPU use | ns CPU / datagram | refused |")
    s.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        if "error" in r:
            s.append(f"| {r['trial']} | {r['program']} | error: {r['error']} | | | | | | |")
            continue
        s.append(f"| {r['trial']} | {r['program']} | **{fmt(r[primary] / 1e6)}** | {fmt(r['out_rate'] / 1e6)} | "
                 f"{fmt(r['sink_rate'] / 1e6)} | {fmt(r['self_rate'] / 1e6)} | {fmt(r['util'] * 100, 0)}% | "
                 f"{fmt(r['ns'], 0)} | {fmt(r['refused'])} |")
    pm, pc, pr = pair_medians(rows, primary)
    sm, sc, sr = pair_medians(rows, "self_rate")
    nm, nc, nr = pair_medians(rows, "ns")
    s.append(f"| median | mpps | **{fmt(pm / 1e6 if pm else None)}** | | | {fmt(sm / 1e6 if sm else None)} | | **{fmt(nm, 0)}** | |")
    s.append(f"| median | C | **{fmt(pc / 1e6 if pc else None)}** | | | {fmt(sc / 1e6 if sc else None)} | | **{fmt(nc, 0)}** | |")
    s.append(f"| ratio | mpps/C | **{fmt(pr)}** | | | {fmt(sr)} | | **{fmt(nr)}** | |")
    meter = "M datagrams/s sent (" + ("sink InDatagrams+InErrors" if gso else "OutDatagrams") + ")"
    summary.append((title, meter, pm and pm / 1e6, pc and pc / 1e6, pr))
    summary.append((title, "ns CPU per datagram (sender)", nm, nc, nr))
    for v in variants(rows):
        vm, _, vr = pair_medians(rows, primary, v)
        wm, _, wr = pair_medians(rows, "ns", v)
        s.append(f"| median | {v} | {fmt(vm / 1e6 if vm else None)} | | | | | {fmt(wm, 0)} | |")
        s.append(f"| ratio | {v} / C | {fmt(vr)} | | | | | {fmt(wr)} | |")
        # The variant against mpps's own all-zero sender: what stamping a header costs.
        own = vm / pm if vm and pm else None
        s.append(f"| ratio | {v} / mpps | {fmt(own)} | | | | | {fmt(wm / nm if wm and nm else None)} | |")
        summary.append((f"{title}: `{v}`", meter, vm and vm / 1e6, pc and pc / 1e6, vr))
        summary.append((f"{title}: `{v}`", "ns CPU per datagram (sender)", wm, nc, wr))
    s.append("")
    s.extend(pair_ratio_lines(rows, primary))
    return s


def instructions_section(h, summary):
    """h: user-space instructions per datagram of each receive loop, under callgrind."""
    s = ["## h. User-space instructions per datagram (callgrind)", ""]
    s.append("Each receiver runs for 6 s under `valgrind --tool=callgrind`, twice: fed 100,000 and then "
             "300,000 all-zero datagrams by `mpps send --rate 300k`, faster than a receiver under callgrind "
             "reads, so its batches are full. The difference in instructions over the difference in "
             "datagrams it read is its user-space cost per datagram, with start-up and the reporting "
             "thread's per-second work cancelled out. Instruction counts do not depend on the clock; "
             "the kernel's share (the system calls, the copies) is not counted, and is the same for both.")
    s.append("")
    s.append("| program | read in run 1 | Ir run 1 | read in run 2 | Ir run 2 | instructions per datagram |")
    s.append("| --- | ---: | ---: | ---: | ---: | ---: |")
    for r in h:
        s.append(f"| {r['program']} | {fmt(r['counts'][0])} | {fmt(r['ir'][0])} | {fmt(r['counts'][1])} | "
                 f"{fmt(r['ir'][1])} | **{fmt(r['per_datagram'], 1)}** |")
    s.append("")
    summary.append(("h. Receive loop, user space", "instructions per datagram (callgrind)",
                    h[0]["per_datagram"], h[1]["per_datagram"], h[0]["per_datagram"] / h[1]["per_datagram"]))
    return s


def other_tools_section(e, others):
    """e: sockperf and iperf3 on the same pinning; their medians are appended to `others`."""
    s = ["## e. Other tools on the same pinning, for orientation", ""]
    s.append(f"Server on CPU {RECV_CPU}, client on CPU {LOAD_CPU}, 32-byte UDP payloads, "
             "as fast as each goes. sockperf's client sends one `sendto` per datagram and its server reads with "
             "`recvfrom`; iperf3 likewise one datagram per call (and puts a sequence number in each).")
    s.append("")
    s.append("```")
    for cmd in e["commands"]:
        s.append(cmd)
    s.append("```")
    s.append("")
    s.append("Meters: sockperf, the client's reported message rate, and delivered = `Udp: InDatagrams` "
             "(read by the server) over the middle of the run; iperf3, its own JSON (`sum_sent`; delivered = "
             "`sum_received` packets less lost, per second).")
    s.append("")
    s.append("| trial | tool | sent M/s (own report) | delivered M/s | dropped M/s or lost % |")
    s.append("| --- | --- | ---: | ---: | ---: |")
    for tool in ("sockperf", "iperf3"):
        for r in e[tool]:
            if "error" in r:
                s.append(f"| {r['trial']} | {tool} | error: {r['error']} | | |")
                continue
            extra = (fmt(r['dropped'] / 1e6) if tool == "sockperf" else f"{fmt(r.get('lost_percent'), 1)}%")
            s.append(f"| {r['trial']} | {tool} | {fmt(r['sent_reported'] / 1e6 if r.get('sent_reported') else None)} | "
                     f"{fmt(r['delivered'] / 1e6)} | {extra} |")
        ms = median([r.get("sent_reported") for r in e[tool] if "error" not in r])
        md = median([r.get("delivered") for r in e[tool] if "error" not in r])
        s.append(f"| median | {tool} | **{fmt(ms / 1e6 if ms else None)}** | **{fmt(md / 1e6 if md else None)}** | |")
        others.append((tool, ms and ms / 1e6, md and md / 1e6))
    s.append("")
    return s
