#!/usr/bin/env python3
"""Draws the side-by-side results (the markdown run.py writes) as one PNG: throughput and latency, Skiff next
to Apache Kafka. Needs matplotlib (Debian: python3-matplotlib, for /usr/bin/python3).

Usage: /usr/bin/python3 bench/side-by-side/chart.py bench/results/side-by-side.md bench/results/side-by-side.png
"""
import re
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def parse(path):
    """{(figure, case): {metric: (skiff, kafka, ratio)}} from the markdown tables (ratio None where it has none)."""
    out, current = {}, None
    for line in open(path):
        m = re.match(r"## (.+?): (.+)$", line.strip())
        if m:
            current = (m.group(1), m.group(2))
            out[current] = {}
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if current and len(cells) == 4 and cells[0] not in ("metric", "---"):
            try:
                ratio = float(cells[3]) if cells[3] not in ("", "-") else None  # of the unrounded medians
                out[current][cells[0]] = (float(cells[1].replace(",", "")), float(cells[2].replace(",", "")), ratio)
            except ValueError:
                pass
    return out


def main():
    src, dst = sys.argv[1], sys.argv[2]
    data = parse(src)
    panels = [
        ("Produce throughput (records/s, higher is better)", "produce", "rec/s"),
        ("Consume throughput (records/s, higher is better)", "consume", "rec/s"),
        ("Produce p99 latency (ms, lower is better)", "produce", "p99 ms"),
        ("End-to-end latency (ms, lower is better)", "end-to-end latency", None),
    ]
    fig, axes = plt.subplots(2, 2, figsize=(13, 8))
    for ax, (title, figure, metric) in zip(axes.flat, panels):
        labels, skiff, kafka, ratios = [], [], [], []
        for (fig_name, case), metrics in data.items():
            if fig_name != figure:
                continue
            if metric is None:  # latency: one bar pair per percentile
                for name, (s, k, r) in metrics.items():
                    labels.append(name)
                    skiff.append(s)
                    kafka.append(k)
                    ratios.append(r)
            elif metric in metrics:
                labels.append(case.replace(" partition(s)", "p"))
                skiff.append(metrics[metric][0])
                kafka.append(metrics[metric][1])
                ratios.append(metrics[metric][2])
        xs = range(len(labels))
        ax.bar([x - 0.2 for x in xs], skiff, 0.4, label="Skiff", color="#2a7ab0")
        ax.bar([x + 0.2 for x in xs], kafka, 0.4, label="Apache Kafka 4.1.1", color="#b0b0b0")
        for x, s, r in zip(xs, skiff, ratios):
            if r is not None:
                ax.annotate(f"{r:.2f}x", (x - 0.2, s), ha="center", va="bottom", fontsize=8)
        ax.set_xticks(list(xs))
        ax.set_xticklabels(labels, fontsize=8)
        ax.set_title(title, fontsize=10)
        top = max(skiff + kafka, default=0)
        if top:
            ax.set_ylim(0, top * 1.25)  # headroom, so the legend never covers a bar's ratio
        ax.legend(fontsize=8, loc="upper right")
    fig.suptitle("Skiff vs Apache Kafka, same machine, same run, medians of 3 (ratios are Skiff/Kafka)")
    fig.tight_layout()
    fig.savefig(dst, dpi=100)


if __name__ == "__main__":
    main()
