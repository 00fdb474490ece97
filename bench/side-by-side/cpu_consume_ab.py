#!/usr/bin/env python3
"""Skiff's broker CPU per million records consumed, A/B between builds (no Kafka).

Starts one standalone broker per --jar (bin/skiff-server, the JVM settings of run.py's Skiff), produces --records
records of 100 bytes once to a 1- and a 6-partition topic of each broker, then runs ConsumerPerformance over them
--repeat times per topic (a new group each run), alternating the brokers (the one that goes first changes each
turn) so that the load of a shared machine hits every build alike. Each run is measured from /proc: the broker
process's utime and stime, and per thread group (JIT compilers, GC, Netty I/O threads, the rest), in CPU seconds
per million records consumed. Prints every run and the medians.

Usage (from the repository root, after `mvn -B -q -DskipTests package`):
    python3 bench/side-by-side/cpu_consume_ab.py [--jar A.jar --jar B.jar] [--jvm-opts OPTS ...] [--records 2000000]
        [--repeat 5] [--partitions 1,6] [--idle 10] [--attach COMMAND]
Without --jar it measures broker-server/target/skiff-server.jar. To compare with the current build, copy an older
build's jar first (e.g. `cp broker-server/target/skiff-server.jar /tmp/before.jar`, rebuild, then
`--jar /tmp/before.jar --jar broker-server/target/skiff-server.jar`). Class-data sharing is off for every broker
(an archive is tied to its jar's path; it changes only start-up). --idle measures each broker idle for that many
seconds first (CPU per second idle, which every run's window also pays while the tool's JVM starts).
--jvm-opts (repeatable, one per --jar, in order) sets SKIFF_JVM_OPTS for that broker (replacing the start script's
JVM flags; an empty string keeps them), to compare JVM settings of one build. --attach runs a command over the measured runs, its {pid} replaced by the
first broker's, and interrupts it after them, e.g. --attach 'strace -c -f -o strace.txt -p {pid}'.
"""
import argparse
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import scale  # noqa: E402  (the /proc readings of the side-by-side CPU figure)
import run  # noqa: E402  (brokers, tools, class path, /proc readers)

GROUPS = ("jit", "gc", "io", "other")


def times(pid):
    """(utime, stime) of the process, and utime+stime per thread group, in seconds."""
    user, system = scale.user_system_seconds(pid)
    return user, system, scale.thread_groups(pid, io=True)


def consume(cp, log4j, broker, topic, records, group):
    out = run.tool(cp, log4j, "org.apache.kafka.tools.ConsumerPerformance", "--bootstrap-server", broker.bootstrap,
                   "--topic", topic, "--messages", str(records), "--timeout", "60000", "--group", group)
    lines = [l for l in out.splitlines() if l and l[0].isdigit()]
    vals = [v.strip() for v in lines[-1].split(",")]
    consumed = int(float(vals[4]))
    if consumed < records:
        raise RuntimeError(f"consumed {consumed} of {records} records from {topic}")
    return {"rec/s": float(vals[5]), "fetch rec/s": float(vals[9])}


def start(jar, workdir, name, jvm_opts=""):
    os.makedirs(workdir)
    port = run.free_port()
    env = dict(os.environ, SKIFF_JAR=jar, SKIFF_CDS="off")
    if jvm_opts:
        env["SKIFF_JVM_OPTS"] = jvm_opts
    return run.Broker(name, [run.SKIFF_START, "--port", str(port), "--data-dir", os.path.join(workdir, "data"),
                             "--override", "group.initial.rebalance.delay.ms=0"], port, workdir, env=env)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jar", action="append", help="a skiff-server.jar to measure (repeatable; default: the build)")
    ap.add_argument("--jvm-opts", action="append", default=[],
                    help="SKIFF_JVM_OPTS for the broker of the --jar in the same place (repeatable)")
    ap.add_argument("--records", type=int, default=2_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--partitions", default="1,6")
    ap.add_argument("--idle", type=float, default=10)
    ap.add_argument("--attach", help="a command run over the measured runs, {pid} replaced by the first broker's")
    a = ap.parse_args()
    jars = [os.path.abspath(j) for j in (a.jar or [run.SKIFF_JAR])]
    for j in jars:
        if not os.path.exists(j):
            sys.exit(f"no jar at {j}: build it first (mvn -B -q -DskipTests package)")
    opts = a.jvm_opts + [""] * (len(jars) - len(a.jvm_opts))
    if len(opts) > len(jars):
        sys.exit("more --jvm-opts than brokers")
    parts = [int(p) for p in a.partitions.split(",")]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # run the finally below: no broker outlives the run
    cp = run.kafka_classpath()
    workdir = tempfile.mkdtemp(prefix="skiff-cpu-consume-")
    log4j = os.path.join(workdir, "log4j2.properties")
    with open(log4j, "w") as f:
        f.write("rootLogger.level=WARN\nrootLogger.appenderRef.o.ref=O\nappender.o.type=Console\n"
                "appender.o.name=O\nappender.o.layout.type=PatternLayout\nappender.o.layout.pattern=%d %p %c - %m%n\n")
    names = [f"{chr(ord('A') + i)}" for i in range(len(jars))]
    brokers, attached = {}, None
    runs = {(n, p): [] for n in names for p in parts}
    m = a.records / 1e6
    try:
        for n, j, o in zip(names, jars, opts):
            brokers[n] = start(j, os.path.join(workdir, n), n, o)
            print(f"{n}: {j} {o} (pid {brokers[n].proc.pid})", flush=True)
        for n in names:
            b = brokers[n]
            for p in parts:
                run.create_topic(cp, log4j, b, f"consume-p{p}", p)
                run.produce(cp, log4j, b, f"consume-p{p}", a.records, "1")
                consume(cp, log4j, b, f"consume-p{p}", a.records, f"warm-{n}-p{p}")  # unmeasured: warm JIT
        if a.idle > 0:
            for n in names:
                u0, s0, _ = times(brokers[n].proc.pid)
                time.sleep(a.idle)
                u1, s1, _ = times(brokers[n].proc.pid)
                print(f"{n} idle: {(u1 - u0 + s1 - s0) / a.idle * 1000:.1f} ms CPU per second", flush=True)
        if a.attach:
            attached = subprocess.Popen(shlex.split(a.attach.replace("{pid}", str(brokers[names[0]].proc.pid))))
            time.sleep(1)  # let it attach before the first measured record
        turn = 0
        for rep in range(a.repeat):
            for p in parts:
                turn += 1
                order = names[turn % len(names):] + names[:turn % len(names)]
                for n in order:
                    b = brokers[n]
                    u0, s0, g0 = times(b.proc.pid)
                    t0 = time.time()
                    c = consume(cp, log4j, b, f"consume-p{p}", a.records, f"run-{n}-p{p}-{rep}")
                    wall = time.time() - t0
                    u1, s1, g1 = times(b.proc.pid)
                    fig = {"cpu": (u1 - u0 + s1 - s0) / m, "user": (u1 - u0) / m, "system": (s1 - s0) / m,
                           "wall_s": wall, "rec/s": c["rec/s"], "fetch rec/s": c["fetch rec/s"]}
                    for g in GROUPS:
                        fig[g] = (g1[g] - g0[g]) / m
                    runs[(n, p)].append(fig)
                    print(f"{n} p{p} run {rep}: cpu {fig['cpu']:.3f} s/M (user {fig['user']:.3f}, system "
                          f"{fig['system']:.3f}; jit {fig['jit']:.3f}, gc {fig['gc']:.3f}, io {fig['io']:.3f}, "
                          f"other {fig['other']:.3f}), {wall:.1f} s, fetch {c['fetch rec/s']:.0f} rec/s", flush=True)
    finally:
        if attached:
            attached.send_signal(signal.SIGINT)
            attached.wait(30)
        for b in brokers.values():
            b.stop()
    print(f"\nbroker CPU s per million records consumed, medians of {a.repeat} ({a.records} records of 100 bytes)")
    print("| build | partitions | cpu | user | system | jit | gc | io | other | fetch rec/s |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for n, j in zip(names, jars):
        for p in parts:
            rs = runs[(n, p)]
            if not rs:
                continue
            med = {k: run.median([r[k] for r in rs]) for k in rs[0]}
            print(f"| {n} | {p} | {med['cpu']:.3f} | {med['user']:.3f} | {med['system']:.3f} | {med['jit']:.3f} | "
                  f"{med['gc']:.3f} | {med['io']:.3f} | {med['other']:.3f} | {med['fetch rec/s']:.0f} |")
    for n, j, o in zip(names, jars, opts):
        print(f"{n} = {j} {o}")
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
