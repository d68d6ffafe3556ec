#!/usr/bin/python3
"""Reads whole topics with kafka-python's KafkaConsumer (a client we did not write) and prints one
JSON object per record, for tests/integration/producer/producer_peers_test.cc.

    read_topic.py BOOTSTRAP TOPIC [TOPIC...]

Each line: {"topic", "partition", "offset", "timestamp", "timestamp_type", "key", "value",
"headers": [[name, value], ...]}, with key, value and header values base64-encoded (null stays
null) so that any byte survives. Every partition is read from its beginning up to the end offset
it had when reading started; exits 1 (saying what is missing) when that takes longer than 60 s.

Run with Debian's /usr/bin/python3, which has python3-kafka.
"""

import base64
import json
import sys
import time

from kafka import KafkaConsumer, TopicPartition

TIMEOUT_S = 60


def b64(data):
    return None if data is None else base64.b64encode(data).decode("ascii")


def main():
    if len(sys.argv) < 3:
        print(f"usage: {sys.argv[0]} BOOTSTRAP TOPIC [TOPIC...]", file=sys.stderr)
        return 2
    bootstrap, topics = sys.argv[1], sys.argv[2:]
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                             auto_offset_reset="earliest", consumer_timeout_ms=1000,
                             request_timeout_ms=30000, api_version_auto_timeout_ms=30000)
    try:
        assigned = []
        for topic in topics:
            partitions = consumer.partitions_for_topic(topic)
            if not partitions:
                print(f"topic {topic} has no partitions in metadata", file=sys.stderr)
                return 1
            assigned += [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(assigned)
        consumer.seek_to_beginning()
        end = consumer.end_offsets(assigned)
        remaining = {tp for tp in assigned if end[tp] > 0}
        deadline = time.monotonic() + TIMEOUT_S
        while remaining and time.monotonic() < deadline:
            for tp, records in consumer.poll(timeout_ms=500).items():
                for r in records:
                    if r.offset >= end[tp]:
                        continue
                    print(json.dumps({
                        "topic": r.topic, "partition": r.partition, "offset": r.offset,
                        "timestamp": r.timestamp, "timestamp_type": r.timestamp_type,
                        "key": b64(r.key), "value": b64(r.value),
                        "headers": [[name, b64(value)] for name, value in r.headers],
                    }))
                    if r.offset + 1 >= end[tp]:
                        remaining.discard(tp)
        if remaining:
            print(f"timed out after {TIMEOUT_S}s; unfinished: {sorted(map(str, remaining))}", file=sys.stderr)
            return 1
        return 0
    finally:
        consumer.close()


if __name__ == "__main__":
    sys.exit(main())
