#!/usr/bin/env python3
"""An independent Kafka client (pure-Python kafka-python 2.0.2) for jump-relay's interoperability tests.

  kafka_python_client.py produce BOOTSTRAP TOPIC COUNT   keys py-key-N, values py-value-N, two headers each
  kafka_python_client.py consume BOOTSTRAP TOPIC COUNT   prints one JSON object per message, then exits
"""
import json
import sys

from kafka import KafkaConsumer, KafkaProducer

API_VERSION = (2, 5, 0)  # the mock cluster does not answer ApiVersions the way kafka-python probes it


def produce(bootstrap, topic, count):
    producer = KafkaProducer(bootstrap_servers=bootstrap.split(","), api_version=API_VERSION, acks="all")
    futures = [
        producer.send(
            topic,
            key=f"py-key-{n}".encode(),
            value=f"py-value-{n}".encode(),
            headers=[("origin", b"kafka-python"), ("seq", str(n).encode())],
        )
        for n in range(count)
    ]
    for future in futures:
        future.get(timeout=30)  # raises unless the broker acknowledged it
    producer.close()


def consume(bootstrap, topic, count):
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap.split(","),
        api_version=API_VERSION,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
        consumer_timeout_ms=30000,
    )
    seen = 0
    for record in consumer:
        print(json.dumps({
            "partition": record.partition,
            "offset": record.offset,
            "key": record.key.decode() if record.key is not None else None,
            "value": record.value.decode() if record.value is not None else None,
            "headers": [[name, value.decode() if value is not None else None] for name, value in record.headers],
        }), flush=True)
        seen += 1
        if seen == count:
            break
    consumer.close()
    if seen != count:
        sys.exit(f"read {seen} of {count} messages")


if __name__ == "__main__":
    mode, bootstrap, topic, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    {"produce": produce, "consume": consume}[mode](bootstrap, topic, count)
