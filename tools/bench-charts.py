#!/usr/bin/env python3
"""Draws BenchmarkDotNet ratios as SVG bar charts (Python standard library only).

Reads each `*-report.csv` given (BenchmarkDotNet's default CSV export; the `Ratio` column is the time of a
case divided by the baseline's, measured in the same run), and writes one SVG per benchmark class into the
output folder: one bar per method, grouped by parameter values, with the baseline at 1.0. The environment
(BenchmarkDotNet, OS, CPU, runtime) comes from the `*-report-github.md` beside each CSV, when present.

With --baseline METHOD, the ratios are recomputed from the Mean column against that method's mean in the same
parameter group (the ratio of means), instead of taking BenchmarkDotNet's Ratio column (the mean of
per-iteration ratios, which BenchmarkDotNet may compute against a baseline of another group).

Usage:
    python3 tools/bench-charts.py [--out docs/images] [--baseline METHOD ...] results/*-report.csv
"""

import argparse
import csv
import html
import os
import re
import sys

BAR_HEIGHT = 18
ROW_GAP = 6
GROUP_GAP = 16
LABEL_WIDTH = 330
CHART_WIDTH = 420
RIGHT_MARGIN = 70
TOP = 52
FONT = "font-family='-apple-system,Segoe UI,Helvetica,Arial,sans-serif'"


def read_rows(path):
    """The CSV's rows as dicts; the separator is ',' or ';' depending on the culture that wrote it."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        text = f.read()
    header = text.splitlines()[0] if text else ""
    delimiter = ";" if header.count(";") > header.count(",") else ","
    return list(csv.DictReader(text.splitlines(), delimiter=delimiter))


def number(text):
    """A float from a BenchmarkDotNet cell ('1.03', '1,234.5 ns', '?', 'NA'); None when there is none."""
    if text is None:
        return None
    match = re.search(r"-?[\d,]*\.?\d+", text.replace("\u00a0", ""))
    if not match or text.strip() in ("?", "NA", "-"):
        return None
    return float(match.group(0).replace(",", ""))


UNITS_NS = {"ns": 1.0, "us": 1e3, "\u03bcs": 1e3, "\u00b5s": 1e3, "ms": 1e6, "s": 1e9}


def nanoseconds(text):
    """A BenchmarkDotNet time cell ('1,640.5 ns', '6.5 \u03bcs') in nanoseconds; None when there is none."""
    value = number(text)
    unit = (text or "").strip().split(" ")[-1]
    if value is None or unit not in UNITS_NS:
        return None
    return value * UNITS_NS[unit]


def recompute_ratios(rows, params, baselines):
    """Sets each row's Ratio to its Mean over the baseline's Mean in the same parameter group."""
    groups = {}
    for row in rows:
        groups.setdefault(tuple(row[p] for p in params), []).append(row)
    for key, members in groups.items():
        base = next((r for r in members if r["Method"].strip("'\"") in baselines), None)
        base_ns = nanoseconds(base["Mean"]) if base else None
        if not base_ns:
            raise SystemExit(f"error: no baseline among {sorted(baselines)} with a Mean in group {key}")
        for row in members:
            mean = nanoseconds(row["Mean"])
            row["Ratio"] = "?" if mean is None else f"{mean / base_ns:.2f}"


def parameter_columns(rows):
    """The parameter columns: those before 'Mean' (other than Method) whose value changes between rows."""
    if not rows:
        return []
    names = list(rows[0].keys())
    before_mean = names[: names.index("Mean")] if "Mean" in names else names
    return [n for n in before_mean if n != "Method" and len({r[n] for r in rows}) > 1]


def environment(csv_path):
    """The first lines of the environment block of the GitHub report beside the CSV, if any."""
    md = csv_path[: -len("-report.csv")] + "-report-github.md"
    if not os.path.exists(md):
        return []
    with open(md, encoding="utf-8") as f:
        text = f.read()
    block = re.search(r"```\s*\n(.*?)```", text, re.S)
    if not block:
        return []
    return [line.strip() for line in block.group(1).splitlines() if line.strip()]


def bar_color(ratio, baseline):
    if baseline:
        return "#9e9e9e"
    return "#2e7d32" if ratio <= 1.0 else "#ef6c00"


def render(title, rows, params, env_lines):
    groups = {}
    for row in rows:
        key = ", ".join(f"{p}={row[p]}" for p in params)
        groups.setdefault(key, []).append(row)

    ratios = [number(r.get("Ratio")) for r in rows]
    top_ratio = max([r for r in ratios if r is not None] + [1.0])
    scale = CHART_WIDTH / (top_ratio * 1.1)

    height = TOP
    for key, members in groups.items():
        height += (20 if key else 0) + len(members) * (BAR_HEIGHT + ROW_GAP) + GROUP_GAP
    footer_lines = env_lines[:4]  # BenchmarkDotNet and OS, CPU, SDK, runtime
    height += 24 + 16 * len(footer_lines)
    width = LABEL_WIDTH + CHART_WIDTH + RIGHT_MARGIN

    out = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' viewBox='0 0 {width} {height}' {FONT} font-size='13'>",
        f"<rect width='{width}' height='{height}' fill='#ffffff'/>",
        f"<text x='12' y='22' font-size='15' font-weight='bold'>{html.escape(title)}</text>",
        "<text x='12' y='40' fill='#555'>time relative to the baseline measured in the same run (1.0 = baseline; shorter is faster)</text>",
    ]
    y = TOP
    for key, members in groups.items():
        if key:
            out.append(f"<text x='12' y='{y + 14}' font-weight='bold' fill='#333'>{html.escape(key)}</text>")
            y += 20
        for row in members:
            ratio = number(row.get("Ratio"))
            baseline = ratio is not None and f"{ratio:.2f}" == "1.00"  # the baseline row (or a tie with it)
            label = row["Method"].strip("'\"")
            out.append(f"<text x='{LABEL_WIDTH - 8}' y='{y + 13}' text-anchor='end'>{html.escape(label)}</text>")
            if ratio is None:
                out.append(f"<text x='{LABEL_WIDTH + 4}' y='{y + 13}' fill='#b71c1c'>no ratio</text>")
            else:
                w = max(1.0, ratio * scale)
                out.append(f"<rect x='{LABEL_WIDTH}' y='{y}' width='{w:.1f}' height='{BAR_HEIGHT}' fill='{bar_color(ratio, baseline)}'/>")
                out.append(f"<text x='{LABEL_WIDTH + w + 4:.1f}' y='{y + 13}'>{ratio:.2f}</text>")
            y += BAR_HEIGHT + ROW_GAP
        y += GROUP_GAP
    x1 = LABEL_WIDTH + scale
    out.append(f"<line x1='{x1:.1f}' y1='{TOP - 4}' x2='{x1:.1f}' y2='{y - GROUP_GAP + 2}' stroke='#333' stroke-dasharray='4 3'/>")
    out.append(f"<text x='{x1 + 3:.1f}' y='{TOP + 2}' font-size='11' fill='#333'>1.0</text>")
    y += 8
    for line in footer_lines:
        out.append(f"<text x='12' y='{y + 12}' font-size='11' fill='#555'>{html.escape(line)}</text>")
        y += 16
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default="docs/images", help="folder for the SVG files (default: docs/images)")
    parser.add_argument("--baseline", action="append", default=[],
                        help="recompute ratios against this method (repeatable; the first present in a group is used)")
    parser.add_argument("reports", nargs="+", help="BenchmarkDotNet *-report.csv files")
    args = parser.parse_args(argv)

    os.makedirs(args.out, exist_ok=True)
    for path in args.reports:
        rows = read_rows(path)
        if not rows or "Ratio" not in rows[0]:
            print(f"error: {path} has no Ratio column (is a [Benchmark(Baseline = true)] set?)", file=sys.stderr)
            return 1
        # 'ThreadSafe.Benchmarks.GuardedBenchmarks-report.csv' -> 'GuardedBenchmarks'
        name = os.path.basename(path)[: -len("-report.csv")].split(".")[-1]
        params = parameter_columns(rows)
        if args.baseline:
            recompute_ratios(rows, params, set(args.baseline))
        svg = render(f"{name}: ratio to baseline", rows, params, environment(path))
        target = os.path.join(args.out, f"{name}-ratios.svg")
        with open(target, "w", encoding="utf-8", newline="\n") as f:
            f.write(svg)
        print(f"{path} -> {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
