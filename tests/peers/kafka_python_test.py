#!/usr/bin/python3
"""kafka-python (Debian's python3-kafka, a client we did not write) against kclient-broker.

    kafka_python_test.py KCLIENT_BROKER admin|produce_consume|group

admin            KafkaAdminClient: create_topics (with configs, validate_only, errors), list topics,
                 describe_configs (topic and broker, with synonyms), create_partitions,
                 delete_topics.
produce_consume  KafkaProducer with acks='all', keys and headers, with every codec this
                 kafka-python has (none, gzip, snappy, lz4, zstd); a KafkaConsumer reads each
                 topic back in full.
group            A KafkaConsumer in a group commits offsets by hand and leaves; a second member
                 of the group resumes exactly from the committed offsets.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import peerlib  # noqa: E402
from peerlib import check, wait_until  # noqa: E402

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition  # noqa: E402
from kafka.admin import ConfigResource, ConfigResourceType, NewPartitions, NewTopic  # noqa: E402
from kafka.codec import has_gzip, has_lz4, has_snappy, has_zstd  # noqa: E402
from kafka.errors import (  # noqa: E402
    InvalidConfigurationError,
    InvalidReplicationFactorError,
    TopicAlreadyExistsError,
    UnknownTopicOrPartitionError,
)
from kafka.structs import OffsetAndMetadata  # noqa: E402

# ConfigSource ids in DescribeConfigs responses.
TOPIC_CONFIG, STATIC_BROKER_CONFIG, DEFAULT_CONFIG = 1, 4, 5


def admin_client(broker):
    return KafkaAdminClient(bootstrap_servers=broker.bootstrap, client_id="kclient-peer-admin",
                            request_timeout_ms=30000, api_version_auto_timeout_ms=30000)


def expect_raises(error_type, fn, what):
    try:
        fn()
    except error_type:
        return
    except Exception as e:  # noqa: BLE001
        raise peerlib.PeerTestFailure(f"{what}: expected {error_type.__name__}, got {e!r}") from e
    raise peerlib.PeerTestFailure(f"{what}: expected {error_type.__name__}, nothing was raised")


def configs_of(response):
    """{name: (value, read_only, source, sensitive, synonyms)} of a one-resource DescribeConfigs v1+."""
    (error_code, _message, _type, _name, entries) = response.resources[0]
    check(error_code == 0, f"DescribeConfigs error {error_code}")
    return {e[0]: e[1:] for e in entries}


def scenario_admin(broker, _procs):
    admin = admin_client(broker)
    try:
        admin.create_topics([
            NewTopic("orders", num_partitions=3, replication_factor=1,
                     topic_configs={"retention.ms": "3600000", "cleanup.policy": "compact"}),
            NewTopic("payments", num_partitions=1, replication_factor=1),
        ])
        wait_until(lambda: {"orders", "payments"} <= set(admin.list_topics()), what="the new topics to be listed")

        expect_raises(TopicAlreadyExistsError,
                      lambda: admin.create_topics([NewTopic("orders", 1, 1)]), "re-creating orders")
        expect_raises(InvalidReplicationFactorError,
                      lambda: admin.create_topics([NewTopic("too-replicated", 1, 3)]), "replication factor 3 of 1 broker")
        expect_raises(InvalidConfigurationError,
                      lambda: admin.create_topics([NewTopic("misconfigured", 1, 1, topic_configs={"no.such": "1"})]),
                      "an unknown config")
        admin.create_topics([NewTopic("only-validated", 2, 1)], validate_only=True)
        check("only-validated" not in admin.list_topics(), "validate_only created the topic")

        # Topic configs: the overrides, and Kafka's defaults for the rest.
        response = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, "orders")], include_synonyms=True)
        configs = configs_of(response[0])
        check(configs["retention.ms"][0] == "3600000" and configs["retention.ms"][2] == TOPIC_CONFIG,
              f"retention.ms override: {configs['retention.ms']}")
        check(configs["cleanup.policy"][0] == "compact", f"cleanup.policy: {configs['cleanup.policy']}")
        for name, value in [("retention.bytes", "-1"), ("segment.bytes", "1073741824"), ("max.message.bytes", "1048588"),
                            ("message.timestamp.type", "CreateTime"), ("compression.type", "producer")]:
            check(configs[name][0] == value and configs[name][2] == DEFAULT_CONFIG,
                  f"{name}: {configs[name]} (want {value} from DEFAULT_CONFIG)")
        # A KRaft Kafka reports this one as a dynamic cluster default (set when it is formatted).
        check(configs["min.insync.replicas"][0] == "1" and configs["min.insync.replicas"][2] in (3, DEFAULT_CONFIG),
              f"min.insync.replicas: {configs['min.insync.replicas']}")
        check(configs["max.message.bytes"][4][0][:2] == ("message.max.bytes", "1048588"),
              f"max.message.bytes synonyms: {configs['max.message.bytes'][4]}")

        # Only the asked keys.
        response = admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, "payments", configs={"retention.ms": None})])
        check(list(configs_of(response[0])) == ["retention.ms"], "describe_configs with one key")

        # Broker configs, from the broker that answers for them.
        response = admin.describe_configs([ConfigResource(ConfigResourceType.BROKER, "1")], include_synonyms=True)
        configs = configs_of(response[0])
        for name, value in [("num.partitions", "1"), ("default.replication.factor", "1"),
                            ("auto.create.topics.enable", "true"), ("message.max.bytes", "1048588"),
                            ("log.retention.hours", "168")]:
            check(configs[name][0] == value, f"broker {name}: {configs[name]} (want {value})")
        check(configs["offsets.topic.replication.factor"][0] == "1", "offsets.topic.replication.factor of 1 broker")

        admin.create_partitions({"payments": NewPartitions(total_count=4)})
        wait_until(lambda: len(admin.describe_topics(["payments"])[0]["partitions"]) == 4,
                   what="payments to have 4 partitions")

        admin.delete_topics(["payments"])
        wait_until(lambda: "payments" not in admin.list_topics(), what="payments to be gone")
        expect_raises(UnknownTopicOrPartitionError, lambda: admin.delete_topics(["payments"]), "deleting it again")
    finally:
        admin.close()


def codecs():
    available = [(None, True), ("gzip", has_gzip()), ("snappy", has_snappy()), ("lz4", has_lz4()),
                 ("zstd", has_zstd())]
    for codec, ok in available:
        if not ok:
            print(f"produce_consume: codec {codec} skipped: its Python module is not installed", flush=True)
    return [codec for codec, ok in available if ok]


def consume_all(broker, topic, count, group_id=None):
    consumer = KafkaConsumer(topic, bootstrap_servers=broker.bootstrap, group_id=group_id,
                             auto_offset_reset="earliest", enable_auto_commit=False, consumer_timeout_ms=1000)
    got = []
    try:
        deadline = time.monotonic() + peerlib.DEFAULT_TIMEOUT_S
        while len(got) < count and time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=500).values():
                got.extend(records)
        # Nothing beyond what was sent.
        for records in consumer.poll(timeout_ms=300).values():
            got.extend(records)
    finally:
        consumer.close()
    return got


def scenario_produce_consume(broker, _procs):
    admin = admin_client(broker)
    try:
        for codec in codecs():
            topic = f"records-{codec or 'none'}"
            admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1)])
            producer = KafkaProducer(bootstrap_servers=broker.bootstrap, acks="all", compression_type=codec,
                                     linger_ms=5, request_timeout_ms=30000, retries=5)
            sent = {}
            futures = []
            for i in range(60):
                key = f"key-{i % 7}".encode()
                value = f"{codec}-value-{i}".encode() * (1 + i % 5)
                headers = [("index", str(i).encode()), ("codec", (codec or "none").encode())]
                futures.append((i, producer.send(topic, key=key, value=value, headers=headers)))
                sent[i] = (key, value, headers)
            producer.flush(timeout=60)
            placed = {}
            for i, f in futures:
                md = f.get(timeout=60)
                placed[(md.partition, md.offset)] = i
            producer.close()
            check(len(placed) == 60, f"{codec}: 60 distinct (partition, offset) pairs, got {len(placed)}")

            got = consume_all(broker, topic, 60)
            check(len(got) == 60, f"{codec}: consumed {len(got)} of 60 records")
            seen = set()
            for r in got:
                i = placed.get((r.partition, r.offset))
                check(i is not None, f"{codec}: record at {r.partition}/{r.offset} was never acknowledged")
                key, value, headers = sent[i]
                check(r.key == key and r.value == value, f"{codec}: record {i} came back as {r.key!r}/{r.value[:20]!r}")
                check(list(r.headers) == headers, f"{codec}: record {i} headers {r.headers} != {headers}")
                seen.add(i)
            check(len(seen) == 60, f"{codec}: {60 - len(seen)} records missing or duplicated")
            # Records of one key share a partition (the producer's murmur2 partitioner).
            by_key = {}
            for r in got:
                by_key.setdefault(r.key, set()).add(r.partition)
            check(all(len(p) == 1 for p in by_key.values()), f"{codec}: a key spread over partitions: {by_key}")
            print(f"produce_consume: {codec or 'none'}: 60 records round-tripped", flush=True)
    finally:
        admin.close()


def scenario_group(broker, _procs):
    topic, group = "ledger", "ledger-readers"
    admin = admin_client(broker)
    admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1)])
    admin.close()
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap, acks="all", request_timeout_ms=30000)
    for i in range(30):
        producer.send(topic, key=f"k{i}".encode(), value=f"v{i}".encode(), partition=i % 3)
    producer.flush(timeout=60)

    # The first member reads everything, then commits, by hand, half of each partition.
    first = KafkaConsumer(topic, bootstrap_servers=broker.bootstrap, group_id=group, auto_offset_reset="earliest",
                          enable_auto_commit=False, session_timeout_ms=10000, heartbeat_interval_ms=1000)
    got = []
    deadline = time.monotonic() + peerlib.DEFAULT_TIMEOUT_S
    while len(got) < 30 and time.monotonic() < deadline:
        for records in first.poll(timeout_ms=500).values():
            got.extend(records)
    check(len(got) == 30, f"first member read {len(got)} of 30 records")
    check(len(first.assignment()) == 3, f"first member holds {first.assignment()}")
    committed = {TopicPartition(topic, p): OffsetAndMetadata(5, "half") for p in range(3)}
    first.commit(committed)
    for tp in committed:
        check(first.committed(tp) == 5, f"committed offset of {tp}: {first.committed(tp)}")
    first.close()

    # Three more records per partition, then a second member of the group resumes at offset 5.
    for i in range(30, 39):
        producer.send(topic, key=f"k{i}".encode(), value=f"v{i}".encode(), partition=i % 3)
    producer.flush(timeout=60)
    producer.close()
    second = KafkaConsumer(topic, bootstrap_servers=broker.bootstrap, group_id=group, auto_offset_reset="earliest",
                           enable_auto_commit=False, session_timeout_ms=10000, heartbeat_interval_ms=1000)
    resumed = []
    deadline = time.monotonic() + peerlib.DEFAULT_TIMEOUT_S
    while len(resumed) < 24 and time.monotonic() < deadline:
        for records in second.poll(timeout_ms=500).values():
            resumed.extend(records)
    for records in second.poll(timeout_ms=500).values():
        resumed.extend(records)
    offsets = sorted((r.partition, r.offset) for r in resumed)
    want = sorted((p, o) for p in range(3) for o in range(5, 13))
    check(offsets == want, f"second member read {offsets}, want offsets 5..12 of each partition")
    second.commit()
    for p in range(3):
        tp = TopicPartition(topic, p)
        check(second.committed(tp) == 13, f"after the second commit {tp} is at {second.committed(tp)}")
    second.close()


if __name__ == "__main__":
    sys.exit(peerlib.main(
        {"admin": scenario_admin, "produce_consume": scenario_produce_consume, "group": scenario_group},
        broker_args={"group": ["--group-initial-rebalance-delay-ms", "0"]}))
