"""The report as a whole (BENCHMARKS.md): the header, the facts of the run, the notes,
the summary table, the section of each comparison in order, the sections other scripts
wrote (kept from the report being replaced), then FINDINGS.md."""

import os
import re

from .sections import instructions_section, other_tools_section, recv_section, send_section
from .settings import GSO, LOAD_CPU, PACED_RATE, RECV_CPU
from .stats import fmt


def write_report(path, bench, results, notes, env):
    """Writes the report of `results` (as stored in results.json) to `path`. `env` holds
    "quick" and the "facts" of the run; `notes` gathers what went wrong (skips, failed trials)."""
    d = bench.d
    lines = []
    w = lines.append
    w("# mpps benchmarks")
    w("")
    w("Sections a–h are written by `Benchmarks/run.sh` (do not edit them by hand; rerun it); each later "
      "section names the script and command that measured it, and a rerun of run.sh keeps them. "
      "`BENCH_QUICK=1` runs are smoke tests, not results." if not env["quick"] else
      "**Smoke run (`BENCH_QUICK=1`, 1 s trials): figures for checking the harness, not results.**")
    w("")
    w("| | |")
    w("| --- | --- |")
    for key, value in env["facts"]:
        w(f"| {key} | {value} |")
    w("")
    w("Each comparison alternates A = mpps and B = the C baseline "
      f"({bench.args.pairs} times each, A B A B …) with {fmt(d, 1)} s per trial; the tables give every trial, "
      "the medians and the ratio of the medians, mpps/C. Where a comparison also runs a variant of mpps "
      "(A1: another setting, to show what it changes), it takes its turn after B (A B A1 A B A1 …) and "
      "has its own ratio to the same C trials. For rates a ratio above 1 favours mpps; "
      "for CPU time per datagram a ratio below 1 does. "
      f"The sender or load generator runs on CPU {LOAD_CPU}, the receiver on CPU {RECV_CPU}. "
      "On loopback the kernel delivers each datagram in the sender's context, so the receiver's CPU time "
      "is what its own loop costs (the system calls and copying out), nothing of the delivery.")
    w("")
    notes_at = len(lines)  # filled in once the sections are built

    summary = []
    others = []
    sections = []

    for key, title in (("a", "a. Receive, 32-byte datagrams, no GRO"),
                       ("b", "b. Receive with UDP_GRO, 32-byte datagrams"),
                       ("c", "c. Send, 32-byte datagrams, no GSO"),
                       ("d", f"d. Send with GSO {GSO}, 32-byte datagrams"),
                       ("f", f"f. Receive at a fixed {PACED_RATE['f']} datagrams/s, no GRO"),
                       ("g", f"g. Receive at a fixed {PACED_RATE['g']} datagrams/s, with UDP_GRO")):
        rows = results.get(key)
        if isinstance(rows, str):
            sections.append([f"## {title}", "", f"Skipped: {rows}", ""])
            notes.append(f"{title}: skipped, {rows}")
            summary.append((title, "skipped", None, None, None))
        elif rows:
            failed = sum(1 for r in rows if "error" in r)
            if failed:
                notes.append(f"{title}: {failed} of {len(rows)} trials failed (see its table); medians are over the rest.")
            sections.append(recv_section(title, rows, summary) if key in "abfg" else
                            send_section(title, rows, key == "d", bench.warm, summary))

    h = results.get("h")
    if isinstance(h, list):
        sections.append(instructions_section(h, summary))
    elif isinstance(h, str):
        sections.append(["## h. User-space instructions per datagram", "", f"Skipped: {h}", ""])

    e = results.get("e")
    if e:
        sections.append(other_tools_section(e, others))
    elif isinstance(results.get("e_skipped"), str):
        sections.append(["## e. Other tools", "", f"Skipped: {results['e_skipped']}", ""])

    if notes:
        lines[notes_at:notes_at] = ["Notes from this run:", ""] + [f"- {n}" for n in notes] + [""]
    w("## Summary")
    w("")
    w("| comparison | metric | mpps (median) | C (median) | mpps/C |")
    w("| --- | --- | ---: | ---: | ---: |")
    for title, metric, m, c, r in summary:
        digits = 0 if metric.startswith("ns") else 3
        w(f"| {title} | {metric} | {fmt(m, digits)} | {fmt(c, digits)} | {fmt(r)} |")
    w("")
    if others:
        w("| other tools (e) | M datagrams/s sent (own report, median) | M datagrams/s delivered (median) |")
        w("| --- | ---: | ---: |")
        for tool, sent, delivered in others:
            w(f"| {tool} | {fmt(sent)} | {fmt(delivered)} |")
        w("")
    kept = other_scripts_sections(path)
    for s in sections:
        lines.extend(s)
    for s in kept:
        lines.extend(s)
    # FINDINGS.md sits in Benchmarks/, beside this package.
    findings = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "FINDINGS.md")
    if os.path.exists(findings):
        # Written by hand: what profiling found and what each change bought, kept with the figures.
        with open(findings) as f:
            lines.extend(["", f.read().strip(), ""])
    with open(path, "w") as f:
        f.write("\n".join(lines).rstrip() + "\n")


def other_scripts_sections(path):
    """The sections of the report at `path` that run.sh does not write (`## i.` and later
    letters: the stamped sender, AF_XDP, the metrics scrape, each measured by its own
    script), as lists of lines, so that a rerun of run.sh does not lose them."""
    if not os.path.exists(path):
        return []
    with open(path) as f:
        text = f.read().splitlines()
    kept, current = [], None
    for line in text:
        if line.startswith("## "):
            current = [] if re.match(r"## [i-z]\. ", line) else None
            if current is not None:
                kept.append(current)
        if current is not None:
            current.append(line)
    for section in kept:
        while section and section[-1] == "":
            section.pop()
        section.append("")
    return kept
