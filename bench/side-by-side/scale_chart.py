#!/usr/bin/env python3
"""Draws the curves of the costs at scale, Skiff beside Apache Kafka, as PNG charts: one per workload (partitions,
connections, groups) from scale.py's .json, and the restart time over the log size from restart.py's .json.
Needs matplotlib (Debian: python3-matplotlib, for /usr/bin/python3).

Usage: /usr/bin/python3 bench/side-by-side/scale_chart.py SCALE.json [SCALE.json ...] [RESTART.json]
A workload in a later scale.py file replaces the same workload of an earlier one (a partial rerun with --only);
restart.py's file is told by its shape. Writes scale-partitions.png, scale-connections.png, scale-groups.png and
scale-log-size.png beside the first file.
"""
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

COLOURS = {"skiff": "tab:blue", "kafka": "tab:orange"}
NAMES = {"skiff": "Skiff", "kafka": "Apache Kafka 4.1.1"}


def curves(figures, workload, x, panels, title, path):
    fig, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 3.6))
    for ax, (key, label) in zip(axes, panels):
        for system in ("skiff", "kafka"):
            rows = [f for f in figures if f["workload"] == workload and f["system"] == system and key in f]
            if rows:
                ax.plot([f[x] for f in rows], [f[key] for f in rows], marker="o", color=COLOURS[system],
                        label=NAMES[system])
        ax.set_title(label, fontsize=10)
        ax.set_xlabel(x)
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    print("wrote", path)


def log_size(restarts, path):
    fig, ax = plt.subplots(figsize=(6, 3.8))
    for system in ("skiff", "kafka"):
        for stop, style in (("SIGTERM", "-"), ("SIGKILL", "--")):
            rows = sorted((r["mb"], r["seconds"]) for r in restarts if r["system"] == system and r["stop"] == stop)
            if rows:
                ax.plot([m / 1024 for m, _ in rows], [s for _, s in rows], style, marker="o", color=COLOURS[system],
                        label=f"{NAMES[system]}, {stop}")
    ax.set_xlabel("GiB of idempotent data in the partition")
    ax.set_ylabel("s, spawn to first acknowledged produce")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title("Restart with a big log", fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    print("wrote", path)


def main():
    out = os.path.dirname(os.path.abspath(sys.argv[1]))
    figures, restarts = [], None
    for path in sys.argv[1:]:
        data = json.load(open(path))
        if isinstance(data, list):
            restarts = data
            continue
        fresh = {f["workload"] for f in data["figures"]} - {"idle"}
        figures = [f for f in figures if f["workload"] not in fresh] + data["figures"]
    curves(figures, "partitions", "partitions",
           [("start_s", "start s (clean restart)"), ("metadata_ms_median", "Metadata, all topics, ms"),
            ("heap_mb", "live heap MiB"), ("rss_mb", "RSS MiB"), ("fds", "open descriptors")],
           "Many partitions (topics of 10)", os.path.join(out, "scale-partitions.png"))
    curves(figures, "connections", "connections",
           [("heap_mb", "live heap MiB"), ("rss_mb", "RSS MiB"), ("lat_p99_ms", "produce p99 ms")],
           "Many connections (idle, while 4 producers send 200 records/s)",
           os.path.join(out, "scale-connections.png"))
    curves(figures, "groups", "groups",
           [("heap_mb", "live heap MiB"), ("rss_mb", "RSS MiB"), ("lat_p99_ms", "produce p99 ms while they join")],
           "Consumer groups of 3 members (a producer sends 500 records/s)", os.path.join(out, "scale-groups.png"))
    if restarts:
        log_size(restarts, os.path.join(out, "scale-log-size.png"))


if __name__ == "__main__":
    main()
