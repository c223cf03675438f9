"""Publishes events (JSON Lines on stdin) keyed by their subject with an independent client and its default
settings, as another system would: kafka-python (murmur2, as the Java client) or confluent-kafka (librdkafka's
CRC32). Prints, per event, the partition the client chose and the subject, tab-separated.

usage: keyed_producer.py kafka-python|confluent-kafka BOOTSTRAP TOPIC < events.jsonl
"""
import json
import sys

client, bootstrap, topic = sys.argv[1], sys.argv[2], sys.argv[3]
events = [line.strip() for line in sys.stdin if line.strip()]
subjects = [json.loads(line)["subject"] for line in events]
placed = []

if client == "kafka-python":
    from kafka import KafkaProducer

    producer = KafkaProducer(bootstrap_servers=bootstrap.split(","), api_version=(2, 5, 0), acks="all")
    futures = [producer.send(topic, key=s.encode(), value=e.encode()) for s, e in zip(subjects, events)]
    placed = [future.get(timeout=30).partition for future in futures]
    producer.close()
elif client == "confluent-kafka":
    from confluent_kafka import Producer

    producer = Producer({"bootstrap.servers": bootstrap})
    results = {}

    def report(index):
        def on_delivery(err, msg):
            if err is not None:
                sys.exit(f"not delivered: {err}")
            results[index] = msg.partition()
        return on_delivery

    for index, (s, e) in enumerate(zip(subjects, events)):
        producer.produce(topic, key=s.encode(), value=e.encode(), on_delivery=report(index))
        producer.poll(0)
    if producer.flush(30) != 0:
        sys.exit("not every event was acknowledged")
    placed = [results[index] for index in range(len(events))]
else:
    sys.exit(f"unknown client {client}")

for partition, subject in zip(placed, subjects):
    print(f"{partition}\t{subject}")
