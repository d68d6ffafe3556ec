"""The `kclient` command-line tool against a kclient-broker process: topics create / describe /
list / delete, and produce from stdin (keys, headers, partition, compression), with what was
produced read back by kcat, a client we did not write. Failures must exit non-zero with a message.

`dlt replay` sends dead letters (written here with the container's headers by `produce -H`) back to
their original topic, filtered by error class, without the container's headers.

usage: kclient_cli_test.py KCLIENT_BROKER {topics|produce|consume|dlt}   (KCLIENT_CLI names the tool)
"""

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "peers"))
import peerlib  # noqa: E402
from peerlib import check, run  # noqa: E402

CLI = os.environ.get("KCLIENT_CLI", "kclient")


def cli(broker, *args, input_text=None, check_rc=True):
    sub, rest = args[0], list(args[1:])
    if sub in ("topics", "groups", "dlt"):
        cmd = [CLI, sub, rest[0], "-b", broker.bootstrap, *rest[1:]]
    else:
        cmd = [CLI, sub, "-b", broker.bootstrap, *rest]
    return run(cmd, input_text=input_text, check_rc=check_rc)


def scenario_topics(broker, _procs):
    out = cli(broker, "topics", "create", "payments", "audit", "--partitions", "3", "--config", "retention.ms=60000")
    check("created payments" in out.stdout and "created audit" in out.stdout, out.stdout)
    again = cli(broker, "topics", "create", "payments", "--partitions", "3", check_rc=False)
    check(again.returncode == 1 and "TOPIC_ALREADY_EXISTS" in again.stderr, f"{again.returncode} {again.stderr}")
    described = cli(broker, "topics", "describe", "payments").stdout
    check("Topic: payments" in described and described.count("Partition: ") == 3, described)
    listed = cli(broker, "topics", "list").stdout.split()
    check("payments" in listed and "audit" in listed, listed)
    cli(broker, "topics", "delete", "audit")
    listed = cli(broker, "topics", "list").stdout.split()
    check("audit" not in listed, listed)
    missing = cli(broker, "topics", "describe", "nope", check_rc=False)
    check(missing.returncode == 1 and "UNKNOWN_TOPIC_OR_PARTITION" in missing.stderr, missing.stderr)
    usage = run([CLI, "topics", "create"], check_rc=False)
    check(usage.returncode == 2, f"missing arguments are a usage error: {usage.returncode}")


def kcat_read(broker, topic, count):
    out = run(["kcat", "-C", "-b", broker.bootstrap, "-t", topic, "-c", str(count), "-e", "-J", "-q"]).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def scenario_produce(broker, _procs):
    cli(broker, "topics", "create", "orders", "--partitions", "4")
    lines = "".join(f"order-{i % 5}|event-{i}\n" for i in range(40))
    out = cli(broker, "produce", "-t", "orders", "-K", "|", "-H", "source=cli", "-H", "v=1", "-z", "zstd",
              input_text=lines)
    check("40 of 40 record(s) produced to orders" in out.stderr, out.stderr)
    records = kcat_read(broker, "orders", 40)
    check(len(records) == 40, f"kcat read {len(records)} records")
    by_key = {}
    for r in records:
        check(r["headers"] == ["source", "cli", "v", "1"], r["headers"])
        by_key.setdefault(r["key"], set()).add(r["partition"])
    check(len(by_key) == 5 and all(len(p) == 1 for p in by_key.values()), f"a key spans partitions: {by_key}")

    cli(broker, "produce", "-t", "orders", "-p", "2", "--acks", "1", input_text="pinned\n")
    pinned = [r for r in kcat_read(broker, "orders", 41) if r["payload"] == "pinned"]
    check(len(pinned) == 1 and pinned[0]["partition"] == 2 and pinned[0]["key"] is None, pinned)

    bad = cli(broker, "produce", "-t", "orders", "-p", "9", input_text="x\n", check_rc=False)
    check(bad.returncode == 1 and "partition 9" in bad.stderr, f"{bad.returncode} {bad.stderr}")
    unknown = cli(broker, "produce", "-t", "orders", "-X", "no.such.property=1", input_text="x\n", check_rc=False)
    check(unknown.returncode == 1 and "no.such.property" in unknown.stderr, unknown.stderr)


def scenario_consume(broker, _procs):
    cli(broker, "topics", "create", "events", "--partitions", "2")
    cli(broker, "produce", "-t", "events", "-K", "=", input_text="".join(f"k{i % 3}=e{i}\n" for i in range(30)))
    # Without a group: every partition from the beginning, to the end.
    out = cli(broker, "consume", "-t", "events", "-e", "-f", "%p %o %k %v").stdout.splitlines()
    check(len(out) == 30, f"{len(out)} lines")
    check(sorted(line.split()[3] for line in out) == sorted(f"e{i}" for i in range(30)), out)
    # A group that stops after 7 records commits exactly those: the next run prints the other 23.
    first = cli(broker, "consume", "-t", "events", "-g", "g1", "-c", "7").stdout.split()
    rest = cli(broker, "consume", "-t", "events", "-g", "g1", "--idle-ms", "1500").stdout.split()
    check(len(first) == 7 and len(rest) == 23 and not set(first) & set(rest), f"{first} / {len(rest)}")
    groups = cli(broker, "groups", "list").stdout
    check("g1" in groups, groups)
    described = cli(broker, "groups", "describe", "g1").stdout
    check("Group: g1" in described and "events-0" in described and "events-1" in described, described)


def scenario_dlt(broker, _procs):
    cli(broker, "topics", "create", "payments", "payments-dlt", "--partitions", "1")
    dead = ["-t", "payments-dlt", "-K", "|", "-H", "trace=t1", "-H", "kclient_dlt_original_topic=payments",
            "-H", "kclient_attempts=3"]
    cli(broker, "produce", *dead, "-H", "kclient_dlt_error_class=Timeout", input_text="a|late-1\nb|late-2\n")
    cli(broker, "produce", *dead, "-H", "kclient_dlt_error_class=Invalid", input_text="c|bad-1\n")
    cli(broker, "produce", "-t", "payments-dlt", input_text="stray\n")  # no original topic: left alone
    dry = cli(broker, "dlt", "replay", "-t", "payments-dlt", "--dry-run").stdout
    check("read 4, would replay 3, filtered out 0, without an original topic 1" in dry, dry)
    out = cli(broker, "dlt", "replay", "-t", "payments-dlt", "--error-class", "Timeout").stdout
    check("read 4, replayed 2, filtered out 1, without an original topic 1" in out, out)
    records = kcat_read(broker, "payments", 2)
    check(sorted((r["key"], r["payload"]) for r in records) == [("a", "late-1"), ("b", "late-2")], records)
    check(all(r["headers"] == ["trace", "t1"] for r in records), [r["headers"] for r in records])
    missing = cli(broker, "dlt", "replay", "-t", "no-such-dlt", "--timeout", "5", check_rc=False)
    check(missing.returncode == 1 and missing.stderr, f"{missing.returncode} {missing.stderr}")
    usage = run([CLI, "dlt", "replay", "-b", broker.bootstrap], check_rc=False)
    check(usage.returncode == 2, f"a missing -t is a usage error: {usage.returncode}")


if __name__ == "__main__":
    sys.exit(peerlib.main({"topics": scenario_topics, "produce": scenario_produce, "consume": scenario_consume,
                           "dlt": scenario_dlt}))
