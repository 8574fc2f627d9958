"""Figures from the trial rows: medians, mpps/C ratios (of the medians and pair by pair),
and the number formatting used in the report and the progress lines."""

import statistics


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(value, digits=3):
    if value is None:
        return "–"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:.{digits}f}"


def variants(rows):
    """The labels of the mpps variants among the rows, in order of appearance."""
    labels = []
    for r in rows:
        if r["program"] not in ("mpps", "C") and r["program"] not in labels:
            labels.append(r["program"])
    return labels


def pair_medians(rows, key, program="mpps"):
    """The median of `program` (mpps or one of its variants), of C, and their ratio."""
    m = median([r.get(key) for r in rows if r["program"] == program and "error" not in r])
    c = median([r.get(key) for r in rows if r["program"] == "C" and "error" not in r])
    return m, c, (m / c if m is not None and c else None)


def pair_ratios(rows, key, program="mpps"):
    """`program`'s figure over C's, trial by trial (each pair ran back to back), as text:
    how far the single pairs scatter around the ratio of the medians."""
    ratios = []
    for r in rows:
        if r["program"] != program or "error" in r or not r.get(key):
            continue
        c = next((x for x in rows if x["program"] == "C" and x["trial"] == r["trial"] and "error" not in x), None)
        if c and c.get(key):
            ratios.append(r[key] / c[key])
    if not ratios:
        return "–"
    above = sum(1 for x in ratios if x >= 1)
    return (" ".join(f"{x:.3f}" for x in ratios) +
            f" ({above} of {len(ratios)} at or above 1; from {min(ratios):.3f} to {max(ratios):.3f})")
