#!/usr/bin/env python3
"""The client comparison: kclient, librdkafka and the Java client on the same broker.

Runs every workload of WORKLOADS against each broker (kclient-broker, and a single-node Apache
Kafka when its jars are available), each run a process of its own, interleaving the clients
(A B C, then B C A, ...) so that the shared machine's noise falls on all of them. Reports
medians with their spread, and kclient's ratios to librdkafka, as:

  OUT/results.json     every run's figures
  OUT/results.md       the tables
  OUT/benchmarks.png   throughput and CPU per record per client (when matplotlib is present)
  docs/benchmarks.md   the tables and chart between its "results" markers (--docs)

scripts/bench.sh is the one command that builds, fetches and calls this.
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# (name, mode, settings). Each varies one dimension from the first, so a difference in a row
# can be read as the cost of that dimension. Records are scaled by --scale.
WORKLOADS = [
    ("100 B, null keys, acks=all", "produce", dict(value_size=100, acks="all", records=2_000_000)),
    ("1 KiB, null keys, acks=all", "produce", dict(value_size=1024, acks="all", records=500_000)),
    ("100 B, keyed, acks=all", "produce", dict(value_size=100, acks="all", keyed=True, records=2_000_000)),
    ("100 B, null keys, acks=1", "produce", dict(value_size=100, acks="1", records=2_000_000)),
    ("100 B, lz4, acks=all", "produce", dict(value_size=100, acks="all", compression="lz4", records=2_000_000)),
    ("100 B, zstd, acks=all", "produce", dict(value_size=100, acks="all", compression="zstd", records=2_000_000)),
    ("100 B records", "consume", dict(value_size=100, records=2_000_000)),
    ("1 KiB records", "consume", dict(value_size=1024, records=500_000)),
    ("100 B lz4 records", "consume", dict(value_size=100, compression="lz4", records=2_000_000)),
    ("10,000 records/s, 100 B, acks=all", "latency", dict(value_size=100, acks="all", records=100_000, rate=10_000)),
]

NATIVE = ["kclient", "librdkafka"]


def log(*args):
    print(*args, file=sys.stderr, flush=True)


class Broker:
    """A broker process for the comparison; .bootstrap, .name, .describe and stop()."""

    def stop(self):
        raise NotImplementedError


class BundledBroker(Broker):
    def __init__(self, binary):
        self.name = "kclient-broker"
        self.describe = "kclient-broker (one broker, in-memory logs)"
        self.proc = subprocess.Popen([binary, "--host", "127.0.0.1", "--port", "0", "--partitions", "3"],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        deadline = time.time() + 30
        self.bootstrap = None
        while time.time() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            m = re.search(r"bootstrap\.servers=(\S+)", line)
            if m:
                self.bootstrap = m.group(1)
                break
        if not self.bootstrap:
            self.stop()
            raise RuntimeError("kclient-broker printed no bootstrap line")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(30)


class KafkaBroker(Broker):
    def __init__(self, version, workdir):
        self.name = "Apache Kafka " + version
        self.describe = "Apache Kafka %s (one KRaft node, G1, 1 GiB heap)" % version
        self.dir = os.path.join(workdir, "kafka-" + version)
        env = dict(os.environ, KAFKA_JVM_OPTS="-Xmx1g -Xms1g -XX:+UseG1GC")
        subprocess.run([os.path.join(ROOT, "scripts", "kafka.sh"), "start", version, "1", self.dir], check=True, env=env,
                       stdout=sys.stderr)
        with open(os.path.join(self.dir, "bootstrap")) as f:
            self.bootstrap = f.read().strip()

    def stop(self):
        subprocess.run([os.path.join(ROOT, "scripts", "kafka.sh"), "stop", self.dir], stdout=sys.stderr)


class Runner:
    """Runs one client on one workload, each run in its own process."""

    def __init__(self, build, java_libs, partitions):
        self.run_binary = os.path.join(build, "bench", "kclient-bench-run")
        self.java_libs = java_libs
        self.partitions = partitions
        self.topic_seq = 0
        self.java_baseline = {}

    def new_topic(self, broker, prefix):
        self.topic_seq += 1
        topic = "bench-%s-%d-%d" % (prefix, os.getpid(), self.topic_seq)
        self.native(broker, "kclient", "create", topic, {})
        return topic

    def delete_topic(self, broker, topic):
        subprocess.run([self.run_binary, "--mode", "delete", "--bootstrap", broker.bootstrap, "--topic", topic],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)

    def native_args(self, broker, client, mode, topic, s):
        args = [self.run_binary, "--client", client, "--mode", mode, "--bootstrap", broker.bootstrap, "--topic", topic,
                "--partitions", str(self.partitions), "--records", str(s.get("records", 1000)),
                "--warmup", str(s.get("warmup", 0)), "--value-size", str(s.get("value_size", 100)),
                "--acks", s.get("acks", "all"), "--compression", s.get("compression", "none")]
        if s.get("keyed"):
            args.append("--keyed")
        if "rate" in s:
            args += ["--rate", str(s["rate"])]
        return args

    def native(self, broker, client, mode, topic, s):
        out = subprocess.run(self.native_args(broker, client, mode, topic, s), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, timeout=900)
        if mode in ("create", "fill"):
            if out.returncode != 0:
                raise RuntimeError("%s %s failed: %s" % (mode, topic, out.stderr.strip()[-500:]))
            return None
        lines = [l for l in out.stdout.splitlines() if l.startswith("{")]
        if not lines:
            log("  %s %s: no result (%s)" % (client, mode, out.stderr.strip()[-300:]))
            return {"client": client, "ok": False}
        return json.loads(lines[-1])

    # The Java client's tools measure themselves; CPU time and peak RSS come from the kernel's
    # accounting of the JVM process (wait4), less a one-record run's CPU (JVM start-up, class
    # loading, connecting), so what is left is the records' share.
    def java_run(self, cls, args):
        cmd = ["java", "-Xmx1g", "-XX:+UseG1GC", "-cp", os.path.join(self.java_libs, "*"), cls] + args
        with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
            proc = subprocess.Popen(cmd, stdout=out, stderr=err, text=True)
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            out.seek(0)
            err.seek(0)
            return proc.returncode, out.read(), err.read(), usage.ru_utime + usage.ru_stime, usage.ru_maxrss

    def java_baseline_cpu(self, broker, mode):
        key = (broker.name, mode)
        if key not in self.java_baseline:
            samples = []
            for _ in range(2):
                topic = self.new_topic(broker, "java-base")
                if mode == "consume":
                    self.native(broker, "kclient", "fill", topic, dict(records=1, value_size=100))
                    code, _, _, cpu, _ = self.java_run("org.apache.kafka.tools.ConsumerPerformance",
                                                       ["--bootstrap-server", broker.bootstrap, "--topic", topic,
                                                        "--messages", "1", "--timeout", "60000"])
                else:
                    code, _, _, cpu, _ = self.java_run("org.apache.kafka.tools.ProducerPerformance",
                                                       ["--topic", topic, "--num-records", "1", "--record-size", "100",
                                                        "--throughput", "-1", "--producer-props",
                                                        "bootstrap.servers=" + broker.bootstrap])
                if code == 0:
                    samples.append(cpu)
            self.java_baseline[key] = statistics.median(samples) if samples else 0.0
        return self.java_baseline[key]

    def java_produce(self, broker, mode, topic, s):
        total = s["records"] + s.get("warmup", 0)
        props = ["bootstrap.servers=" + broker.bootstrap, "acks=" + s.get("acks", "all"), "linger.ms=5",
                 "batch.size=16384", "buffer.memory=33554432", "compression.type=" + s.get("compression", "none"),
                 "enable.idempotence=" + ("true" if s.get("acks", "all") == "all" else "false")]
        rate = str(s["rate"]) if mode == "latency" else "-1"
        code, out, err, cpu, rss_kib = self.java_run(
            "org.apache.kafka.tools.ProducerPerformance",
            ["--topic", topic, "--num-records", str(total), "--record-size", str(s["value_size"]), "--throughput", rate,
             "--producer-props"] + props)
        # "N records sent, R records/sec (M MB/sec), A ms avg latency, X ms max latency,
        #  P50 ms 50th, P95 ms 95th, P99 ms 99th, P999 ms 99.9th."
        m = re.search(r"(\d+) records sent, ([\d.]+) records/sec \(([\d.]+) MB/sec\).*?(\d+) ms 50th, (\d+) ms 95th, "
                      r"(\d+) ms 99th, (\d+) ms 99\.9th", out)
        if code != 0 or not m or int(m.group(1)) != total:
            log("  java %s failed: %s" % (mode, (err or out).strip()[-300:]))
            return {"client": "java", "ok": False}
        base = self.java_baseline_cpu(broker, "produce")
        result = {"client": "java", "mode": mode, "ok": True, "records": total, "records_per_s": float(m.group(2)),
                  "mb_per_s": float(m.group(2)) * s["value_size"] / 1e6,
                  "cpu_us_per_record": max(cpu - base, 0) * 1e6 / total, "allocs_per_record": None,
                  "peak_rss_mib": rss_kib / 1024.0}
        if mode == "latency":
            result.update(ack_p50_ms=float(m.group(4)), ack_p99_ms=float(m.group(6)), ack_p999_ms=float(m.group(7)),
                          e2e_p50_ms=None, e2e_p99_ms=None, e2e_p999_ms=None)
        return result

    def java_consume(self, broker, topic, s, run):
        total = s["records"]
        code, out, err, cpu, rss_kib = self.java_run(
            "org.apache.kafka.tools.ConsumerPerformance",
            ["--bootstrap-server", broker.bootstrap, "--topic", topic, "--messages", str(total), "--timeout", "120000",
             "--group", "bench-java-%d-%d" % (os.getpid(), run)])
        # Header then one CSV line: start.time, end.time, data.consumed.in.MB, MB.sec,
        # data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
        rows = [l.split(",") for l in out.splitlines() if l.count(",") >= 9 and not l.startswith("start.time")]
        if code != 0 or not rows or int(rows[-1][4].strip()) < total:
            log("  java consume failed: %s" % (err or out).strip()[-300:])
            return {"client": "java", "ok": False}
        row = [c.strip() for c in rows[-1]]
        base = self.java_baseline_cpu(broker, "consume")
        rate = float(row[9])  # fetch.nMsg.sec: without the group join, like the assign()-based native runs
        return {"client": "java", "mode": "consume", "ok": True, "records": total, "records_per_s": rate,
                "mb_per_s": rate * s["value_size"] / 1e6, "cpu_us_per_record": max(cpu - base, 0) * 1e6 / total,
                "allocs_per_record": None, "peak_rss_mib": rss_kib / 1024.0}


def run_workload(runner, broker, workload, clients, runs, scale):
    name, mode, settings = workload
    s = dict(settings)
    s["records"] = max(1000, int(s["records"] * scale))
    if mode == "produce":
        s["warmup"] = max(1000, s["records"] // 10)
    elif mode == "latency":
        s["records"] = max(s["records"], 20_000)
        s["warmup"] = s["records"] // 5
    else:
        s["warmup"] = 0  # a consume run times the whole read (see bench/run/runs.h)
    java_ok = "java" in clients and not s.get("keyed")  # ProducerPerformance sends null keys only
    order = [c for c in clients if c != "java" or java_ok]
    consume_topic = None
    if mode == "consume":
        consume_topic = runner.new_topic(broker, "consume")
        runner.native(broker, "kclient", "fill", consume_topic, s)
    results = {c: [] for c in order}
    for run in range(runs):
        rotated = order[run % len(order):] + order[:run % len(order)]
        for client in rotated:
            if mode == "consume":
                topic = consume_topic
            else:
                topic = runner.new_topic(broker, mode)
            if client == "java":
                r = runner.java_consume(broker, topic, s, run) if mode == "consume" else runner.java_produce(
                    broker, mode, topic, s)
            else:
                r = runner.native(broker, client, mode, topic, s)
            results[client].append(r)
            log("  run %d %-10s %s" % (run, client, summary(r)))
            if mode != "consume":
                runner.delete_topic(broker, topic)  # kclient-broker keeps logs in memory
    if consume_topic:
        runner.delete_topic(broker, consume_topic)
    return {"workload": name, "mode": mode, "settings": s, "broker": broker.name, "runs": results}


def summary(r):
    if not r.get("ok"):
        return "FAILED"
    text = "%10.0f rec/s %7.3f us CPU/rec %6.1f MiB RSS" % (r["records_per_s"], r["cpu_us_per_record"], r["peak_rss_mib"])
    if r.get("allocs_per_record") is not None:
        text += " %6.2f allocs/rec" % r["allocs_per_record"]
    if r.get("mode") == "latency":
        text += " ack p50/p99/p99.9 %s/%s/%s ms" % (fmt(r.get("ack_p50_ms")), fmt(r.get("ack_p99_ms")),
                                                   fmt(r.get("ack_p999_ms")))
    return text


def fmt(v, digits=2):
    if v is None:
        return "–"
    if isinstance(v, float) and v >= 1000:
        return "{:,.0f}".format(v)
    return ("%." + str(digits) + "f") % v


def stat(runs, key):
    """(median, min, max) of a figure over the successful runs, or None."""
    values = [r[key] for r in runs if r.get("ok") and r.get(key) is not None]
    if not values:
        return None
    return statistics.median(values), min(values), max(values)


def cell(runs, key, digits=2):
    st = stat(runs, key)
    if st is None:
        return "–"
    med, lo, hi = st
    if len(runs) > 1 and hi > lo:
        return "%s (%s–%s)" % (fmt(med, digits), fmt(lo, digits), fmt(hi, digits))
    return fmt(med, digits)


def ratio(entry, key, client="kclient", base="librdkafka"):
    a, b = stat(entry["runs"].get(client, []), key), stat(entry["runs"].get(base, []), key)
    if not a or not b or b[0] == 0:
        return None
    return a[0] / b[0]


def markdown(entries, micro, machine):
    out = []
    out.append("Run on %s. %s" % (machine["date"], machine["summary"]))
    out.append("")
    brokers = []
    for e in entries:
        if e["broker"] not in brokers:
            brokers.append(e["broker"])
    out.append("### Headline: kclient / librdkafka (medians)")
    out.append("")
    out.append("| broker | workload | throughput ratio | CPU per record ratio | p99 ack latency ratio |")
    out.append("|---|---|---|---|---|")
    for e in entries:
        thr, cpu = ratio(e, "records_per_s"), ratio(e, "cpu_us_per_record")
        lat = ratio(e, "ack_p99_ms") if e["mode"] == "latency" else None
        out.append("| %s | %s %s | %s | %s | %s |" % (e["broker"], e["mode"], e["workload"],
                                                   fmt(thr) + "x" if thr else "–", fmt(cpu) + "x" if cpu else "–",
                                                   fmt(lat) + "x" if lat else "–"))
    out.append("")
    for broker in brokers:
        out.append("### Throughput on %s" % broker)
        out.append("")
        out.append("| workload | client | records/s | MB/s | CPU µs/record | allocations/record | peak RSS MiB |")
        out.append("|---|---|---|---|---|---|---|")
        for e in entries:
            if e["broker"] != broker or e["mode"] == "latency":
                continue
            for client, runs in e["runs"].items():
                out.append("| %s %s | %s | %s | %s | %s | %s | %s |" % (
                    e["mode"], e["workload"], client, cell(runs, "records_per_s", 0), cell(runs, "mb_per_s", 1),
                    cell(runs, "cpu_us_per_record", 3), cell(runs, "allocs_per_record", 2),
                    cell(runs, "peak_rss_mib", 0)))
        out.append("")
        lat = [e for e in entries if e["broker"] == broker and e["mode"] == "latency"]
        for e in lat:
            out.append("### Latency on %s: %s" % (broker, e["workload"]))
            out.append("")
            out.append("| client | ack p50 ms | ack p99 ms | ack p99.9 ms | e2e p50 ms | e2e p99 ms | e2e p99.9 ms | "
                       "CPU µs/record |")
            out.append("|---|---|---|---|---|---|---|---|")
            for client, runs in e["runs"].items():
                out.append("| %s | %s |" % (client, " | ".join(
                    cell(runs, k, 3) for k in ("ack_p50_ms", "ack_p99_ms", "ack_p999_ms", "e2e_p50_ms", "e2e_p99_ms",
                                               "e2e_p999_ms", "cpu_us_per_record"))))
            out.append("")
    if micro:
        out.append("### Micro-benchmarks (kclient-microbench)")
        out.append("")
        out.append("| benchmark | CPU ns per iteration | throughput |")
        out.append("|---|---|---|")
        for b in micro:
            thr = ""
            if "bytes_per_second" in b:
                thr = "%.0f MB/s" % (b["bytes_per_second"] / 1e6)
            elif "items_per_second" in b:
                thr = "%.1f M items/s" % (b["items_per_second"] / 1e6)
            label = (" (%s)" % b["label"]) if b.get("label") else ""
            out.append("| %s%s | %.1f | %s |" % (b["name"], label, b["cpu_time"], thr))
        out.append("")
    return "\n".join(out)


def chart(entries, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log("matplotlib is not installed: no chart")
        return False
    rows = [e for e in entries if e["mode"] != "latency"]
    brokers = []
    for e in rows:
        if e["broker"] not in brokers:
            brokers.append(e["broker"])
    clients = ["kclient", "librdkafka", "java"]
    colors = {"kclient": "#1f77b4", "librdkafka": "#ff7f0e", "java": "#2ca02c"}
    fig, axes = plt.subplots(2, len(brokers), figsize=(7 * len(brokers), 9), squeeze=False)
    for col, broker in enumerate(brokers):
        mine = [e for e in rows if e["broker"] == broker]
        labels = ["%s\n%s" % (e["mode"], e["workload"].replace(", ", "\n", 1)) for e in mine]
        for row, (key, title) in enumerate([("records_per_s", "records/s (median)"),
                                            ("cpu_us_per_record", "client CPU µs per record (median)")]):
            ax = axes[row][col]
            width = 0.8 / len(clients)
            for i, client in enumerate(clients):
                values = []
                for e in mine:
                    st = stat(e["runs"].get(client, []), key)
                    values.append(st[0] if st else 0)
                xs = [x + (i - 1) * width for x in range(len(mine))]
                ax.bar(xs, values, width, label=client, color=colors[client])
            ax.set_xticks(range(len(mine)))
            ax.set_xticklabels(labels, fontsize=7, rotation=45, ha="right")
            ax.set_title("%s: %s" % (broker, title), fontsize=10)
            ax.grid(axis="y", alpha=0.3)
            if row == 0 and col == 0:
                ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return True


def machine_info(brokers, java_version):
    cpu = platform.processor()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    rdkafka = subprocess.run(["pkg-config", "--modversion", "rdkafka"], stdout=subprocess.PIPE, text=True).stdout.strip()
    load = os.getloadavg()[0]
    summary = ("Machine: %s, %d cores, %.0f GiB RAM, Linux %s, load average %.1f at the start. librdkafka %s; "
               "Java client %s. Brokers: %s." % (cpu, os.cpu_count(), mem_gib, platform.release(), load, rdkafka,
                                                 java_version or "not run", "; ".join(b.describe for b in brokers)))
    return {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "summary": summary}


def update_docs(docs, table_md, png_name):
    begin, end = "<!-- results:begin -->", "<!-- results:end -->"
    with open(docs) as f:
        text = f.read()
    if begin not in text or end not in text:
        raise RuntimeError("%s lacks the %s / %s markers" % (docs, begin, end))
    block = begin + "\n" + table_md + "\n"
    if png_name:
        block += "\n![Throughput and CPU per record per client](%s)\n" % png_name
    block += end
    text = text[:text.index(begin)] + block + text[text.index(end) + len(end):]
    with open(docs, "w") as f:
        f.write(text)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", default=os.path.join(ROOT, "build", "release"))
    p.add_argument("--out", default=os.path.join(ROOT, "build", "bench"))
    p.add_argument("--runs", type=int, default=3, help="runs per client and workload (interleaved)")
    p.add_argument("--scale", type=float, default=1.0, help="multiplies every workload's record count")
    p.add_argument("--brokers", default="bundled,kafka", help="bundled and/or kafka")
    p.add_argument("--kafka-version", default="4.1.1")
    p.add_argument("--java-libs", default="", help="Kafka's jars (scripts/kafka.sh fetch); empty: no Java client")
    p.add_argument("--only", default="", help="run only workloads whose 'mode name' contains this")
    p.add_argument("--partitions", type=int, default=3)
    p.add_argument("--docs", default="", help="docs/benchmarks.md to update")
    args = p.parse_args()

    os.makedirs(args.out, exist_ok=True)
    clients = NATIVE + (["java"] if args.java_libs else [])
    runner = Runner(args.build, args.java_libs, args.partitions)
    workdir = tempfile.mkdtemp(prefix="kclient-bench-")
    micro = []
    micro_json = os.path.join(args.out, "micro.json")
    log("micro-benchmarks")
    r = subprocess.run([os.path.join(args.build, "bench", "kclient-microbench"), "--benchmark_min_time=0.3",
                        "--benchmark_out=" + micro_json, "--benchmark_out_format=json"], stdout=sys.stderr)
    if r.returncode == 0:
        with open(micro_json) as f:
            micro = json.load(f)["benchmarks"]

    entries, brokers = [], []
    workloads = [w for w in WORKLOADS if args.only in "%s %s" % (w[1], w[0])]
    for kind in [b for b in args.brokers.split(",") if b]:
        if kind == "kafka" and not args.java_libs:
            log("Apache Kafka: SKIPPED: its jars are not available (scripts/kafka.sh fetch failed)")
            continue
        broker = BundledBroker(os.path.join(args.build, "kclient-broker")) if kind == "bundled" else KafkaBroker(
            args.kafka_version, workdir)
        brokers.append(broker)
        try:
            for w in workloads:
                log("%s: %s %s" % (broker.name, w[1], w[0]))
                entries.append(run_workload(runner, broker, w, clients, args.runs, args.scale))
        finally:
            broker.stop()
    shutil.rmtree(workdir, ignore_errors=True)

    java_version = args.kafka_version if args.java_libs else ""
    machine = machine_info(brokers, java_version)
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump({"machine": machine, "entries": entries, "micro": micro}, f, indent=1)
    table = markdown(entries, micro, machine)
    with open(os.path.join(args.out, "results.md"), "w") as f:
        f.write(table + "\n")
    png = os.path.join(args.out, "benchmarks.png")
    have_chart = chart(entries, png)
    if args.docs:
        png_name = None
        if have_chart:
            png_name = "benchmarks.png"
            shutil.copyfile(png, os.path.join(os.path.dirname(os.path.abspath(args.docs)), png_name))
        update_docs(args.docs, table, png_name)
    print(table)
    failed = [(e["broker"], e["workload"], c) for e in entries for c, runs in e["runs"].items()
              if not any(r.get("ok") for r in runs)]
    for f in failed:
        log("no successful run: %s / %s / %s" % f)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
