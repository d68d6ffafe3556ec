#!/usr/bin/python3
"""kcat (Debian's, built on librdkafka; a client we did not write) against kclient-broker.

    kcat_test.py KCLIENT_BROKER metadata|produce_consume|codecs|group

metadata         topics created through kafka-python's admin client show up in `kcat -L` (text
                 and JSON) with their partitions, leaders and replicas.
produce_consume  keyed records with headers go in through `kcat -P -K: -H`, and come back out of
                 `kcat -C -e -f '%k %s %h %p %o\\n'` unchanged, each key on one partition.
codecs           the same round trip with every codec: `-z gzip|snappy|lz4|zstd`.
group            two `kcat -G` members of one group share a topic's partitions; together they
                 read every record exactly once.
"""

import json
import os
import select
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import peerlib  # noqa: E402
from peerlib import check, run, wait_until  # noqa: E402

from kafka import KafkaAdminClient  # noqa: E402
from kafka.admin import NewTopic  # noqa: E402

KCAT = "/usr/bin/kcat"


def create_topics(broker, *topics):
    admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap, request_timeout_ms=30000,
                             api_version_auto_timeout_ms=30000)
    try:
        admin.create_topics([NewTopic(name, num_partitions=n, replication_factor=1) for name, n in topics])
        wait_until(lambda: {name for name, _ in topics} <= set(admin.list_topics()), what="the topics to exist")
    finally:
        admin.close()


def kcat(broker, *args, input_text=None, timeout_s=peerlib.DEFAULT_TIMEOUT_S):
    return run([KCAT, "-b", broker.bootstrap, *args], input_text=input_text, timeout_s=timeout_s)


def scenario_metadata(broker, _procs):
    create_topics(broker, ("alpha", 3), ("beta", 1))
    out = kcat(broker, "-L").stdout
    check("1 brokers:" in out and f"broker 1 at {broker.bootstrap}" in out, f"kcat -L brokers:\n{out}")
    check('topic "alpha" with 3 partitions:' in out, f"kcat -L alpha:\n{out}")
    check('topic "beta" with 1 partitions:' in out, f"kcat -L beta:\n{out}")
    meta = json.loads(kcat(broker, "-L", "-J").stdout)
    topics = {t["topic"]: t for t in meta["topics"]}
    check(set(topics) >= {"alpha", "beta"}, f"kcat -L -J topics: {list(topics)}")
    parts = sorted(p["partition"] for p in topics["alpha"]["partitions"])
    check(parts == [0, 1, 2], f"alpha partitions {parts}")
    for p in topics["alpha"]["partitions"]:
        check(p["leader"] == 1 and [r["id"] for r in p["replicas"]] == [1], f"alpha partition {p}")
    # One topic only, and an unknown one (auto-creation is off for this broker).
    one = json.loads(kcat(broker, "-L", "-J", "-t", "beta").stdout)
    check([t["topic"] for t in one["topics"]] == ["beta"], f"kcat -L -t beta: {one['topics']}")
    missing = json.loads(kcat(broker, "-L", "-J", "-t", "gamma").stdout)
    check(missing["topics"][0].get("error"), f"kcat -L -t gamma should report an error: {missing['topics']}")


def produce(broker, topic, lines, *extra):
    kcat(broker, "-P", "-t", topic, "-K:", "-H", "origin=kcat", "-H", "run=1", *extra, input_text="\n".join(lines) + "\n")


def consume(broker, topic, count):
    out = kcat(broker, "-C", "-t", topic, "-e", "-o", "beginning", "-f", "%k %s %h %p %o\n").stdout
    rows = [line.split(" ") for line in out.splitlines() if line]
    check(len(rows) == count, f"consumed {len(rows)} of {count} records from {topic}:\n{out}")
    return rows


def round_trip(broker, topic, codec_args, tag):
    lines = [f"user-{i % 5}:{tag}-payload-{i}-" + "x" * (i * 7 % 300) for i in range(50)]
    produce(broker, topic, lines, *codec_args)
    rows = consume(broker, topic, len(lines))
    sent = {line.split(":", 1)[1]: line.split(":", 1)[0] for line in lines}
    partition_of_key = {}
    offsets = set()
    for key, value, headers, partition, offset in rows:
        check(sent.get(value) == key, f"{tag}: record {value[:30]!r} came back with key {key!r}")
        check(headers == "origin=kcat,run=1", f"{tag}: headers {headers!r}")
        check(partition_of_key.setdefault(key, partition) == partition, f"{tag}: key {key} on two partitions")
        offsets.add((partition, int(offset)))
    check(len(offsets) == len(lines), f"{tag}: duplicate (partition, offset) pairs")
    check({v for _, v, *_ in rows} == set(sent), f"{tag}: records missing")


def scenario_produce_consume(broker, _procs):
    create_topics(broker, ("keyed", 4))
    round_trip(broker, "keyed", [], "plain")


def scenario_codecs(broker, _procs):
    for codec in ["gzip", "snappy", "lz4", "zstd"]:
        topic = f"codec-{codec}"
        create_topics(broker, (topic, 2))
        round_trip(broker, topic, ["-z", codec], codec)
        print(f"codecs: {codec}: 50 records round-tripped", flush=True)


class Member:
    """One `kcat -G` member; its stdout (records) and stderr (rebalances) are read as they come."""

    def __init__(self, procs, broker, group, topic, name):
        self.name = name
        self.records = []
        self.assigned = None  # the latest assignment's partitions
        self.log = []
        self.proc = procs.spawn(
            [KCAT, "-b", broker.bootstrap, "-G", group, "-X", "auto.offset.reset=earliest",
             "-X", "session.timeout.ms=10000", "-X", "heartbeat.interval.ms=500",
             "-f", "%p %o %k %s\n", "-u", topic],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, bufsize=1)
        os.set_blocking(self.proc.stdout.fileno(), False)
        os.set_blocking(self.proc.stderr.fileno(), False)
        self._partial = {"out": "", "err": ""}

    def pump(self):
        for which, stream in (("out", self.proc.stdout), ("err", self.proc.stderr)):
            ready, _, _ = select.select([stream], [], [], 0)
            if not ready:
                continue
            chunk = stream.read()
            if not chunk:
                continue
            text = self._partial[which] + chunk
            *lines, self._partial[which] = text.split("\n")
            for line in lines:
                if which == "out":
                    self.records.append(line.split(" ", 3))
                else:
                    self.log.append(line)
                    # "% Group g rebalanced (memberid ...): assigned: topic [0], topic [2]"
                    if "rebalanced" in line and "assigned:" in line:
                        self.assigned = sorted(int(p.split("[")[1].rstrip("]"))
                                               for p in line.split("assigned:", 1)[1].split(",") if "[" in p)
                    elif "rebalanced" in line and "revoked" in line:
                        self.assigned = []
        if self.proc.poll() is not None:
            raise peerlib.PeerTestFailure(f"{self.name} exited with {self.proc.returncode}:\n" + "\n".join(self.log))


def scenario_group(broker, procs):
    topic, group = "shared", "kcat-group"
    create_topics(broker, (topic, 4))
    a = Member(procs, broker, group, topic, "member-a")
    b = Member(procs, broker, group, topic, "member-b")

    def both_assigned():
        a.pump()
        b.pump()
        return a.assigned and b.assigned and sorted(a.assigned + b.assigned) == [0, 1, 2, 3]

    try:
        wait_until(both_assigned, timeout_s=90, what="both members to share the 4 partitions")
    except peerlib.PeerTestFailure:
        print("member-a:\n" + "\n".join(a.log) + "\nmember-b:\n" + "\n".join(b.log), file=sys.stderr)
        raise
    print(f"group: member-a holds {a.assigned}, member-b holds {b.assigned}", flush=True)

    lines = [f"k{i}:record-{i}" for i in range(80)]
    produce(broker, topic, lines)

    def all_read():
        a.pump()
        b.pump()
        return len(a.records) + len(b.records) >= len(lines)

    wait_until(all_read, timeout_s=90, what="the two members to read all 80 records")
    # A moment more for any duplicate to show up, polled rather than slept through.
    end = time.monotonic() + 1.0
    while time.monotonic() < end:
        a.pump()
        b.pump()
        time.sleep(0.05)
    check(a.records and b.records, f"one member read nothing: a={len(a.records)} b={len(b.records)}")
    values = [r[3] for r in a.records + b.records]
    check(len(values) == len(set(values)) == len(lines),
          f"{len(values)} records read, {len(set(values))} distinct, {len(lines)} sent")
    for member in (a, b):
        stray = [r for r in member.records if int(r[0]) not in member.assigned]
        check(not stray, f"{member.name} read partitions it does not hold: {stray[:3]}")
    print(f"group: member-a read {len(a.records)}, member-b read {len(b.records)}, each record once", flush=True)


if __name__ == "__main__":
    sys.exit(peerlib.main(
        {"metadata": scenario_metadata, "produce_consume": scenario_produce_consume, "codecs": scenario_codecs,
         "group": scenario_group},
        broker_args={"metadata": ["--no-auto-create"], "group": ["--group-initial-rebalance-delay-ms", "0"]}))
