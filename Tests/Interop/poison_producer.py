"""Publishes poison messages to a topic with confluent-kafka, plainly, as another system would: a 999,900-byte
value, a gzip-compressed value that decompresses to 3 MB, a tombstone (no value), an empty value, a 10 KB key,
binary garbage with binary headers, and one valid event behind them. Prints the number of messages sent.

usage: poison_producer.py BOOTSTRAP TOPIC
"""
import sys

from confluent_kafka import Producer

bootstrap, topic = sys.argv[1], sys.argv[2]
valid = (
    b'{"specversion":"1.0","id":"poison-valid","source":"py","type":"jump.jobs.reported","subject":"jobs.poison",'
    b'"time":"2025-01-01T00:00:00Z","data":{"scope":"poison","period":{"year":2024},"jobsSupported":7,'
    b'"source":"test"}}'
)
plain = Producer({"bootstrap.servers": bootstrap})
sent = 0


def report(err, _msg):
    if err is not None:
        sys.exit(f"not delivered: {err}")


for key, value, headers in [
    (b"jobs.poison", b"x" * 999_900, None),
    (b"jobs.poison", None, None),
    (b"jobs.poison", b"", None),
    (b"k" * 10_000, b"{}", None),
    (b"jobs.poison", bytes(range(256)) * 4, [("bin", bytes(range(256))), ("ce_id", b"\xff\xfe")]),
]:
    plain.produce(topic, value=value, key=key, headers=headers, on_delivery=report)
    sent += 1
plain.flush(30)
gzip = Producer({"bootstrap.servers": bootstrap, "compression.type": "gzip", "message.max.bytes": 10_000_000})
gzip.produce(topic, value=b"[" + b" " * 3_000_000 + b"]", key=b"jobs.poison", on_delivery=report)
gzip.produce(topic, value=valid, key=b"jobs.poison", on_delivery=report)
sent += 2
gzip.flush(30)
print(sent)
