"""Publishes events in the CloudEvents Kafka binding's binary mode with confluent-kafka, as a system using a
CloudEvents SDK would: the data as the message value, each attribute a ce_ header, datacontenttype as
content-type. Sends the given structured events (JSON Lines on stdin) converted to binary mode, then one
binary-mode event without ce_type (which the worker must dead-letter with its ce_ headers). Prints the number sent.

usage: binary_mode_producer.py BOOTSTRAP TOPIC < events.jsonl
"""
import json
import sys

from confluent_kafka import Producer

bootstrap, topic = sys.argv[1], sys.argv[2]
# jump-relay's partitioner (the Java client's), as its README tells other systems to set.
producer = Producer({"bootstrap.servers": bootstrap, "partitioner": "murmur2_random"})
sent = 0


def report(err, _msg):
    if err is not None:
        sys.exit(f"not delivered: {err}")


def binary(event):
    """(key, value, headers) of an event in binary mode."""
    headers = []
    for name, value in event.items():
        if name == "data":
            continue
        headers.append(("content-type" if name == "datacontenttype" else "ce_" + name, value.encode()))
    return event["subject"].encode(), json.dumps(event["data"]).encode(), headers


for line in sys.stdin:
    if line.strip():
        key, value, headers = binary(json.loads(line))
        producer.produce(topic, key=key, value=value, headers=headers, on_delivery=report)
        sent += 1
producer.produce(topic, key=b"jobs.binary", value=b'{"scope":"x","period":{"year":2024},"jobsSupported":1,"source":"t"}',
                 headers=[("ce_specversion", b"1.0"), ("ce_id", b"binary-without-type"), ("ce_source", b"py"),
                          ("ce_subject", b"jobs.binary"), ("ce_time", b"2025-01-01T00:00:00Z")],
                 on_delivery=report)
sent += 1
producer.flush(30)
print(sent)
