#!/usr/bin/env python3
"""The peer for `jump-producer serve`'s benchmark: the same job in Python, as a good Python engineer would write it.

aiohttp serves POST /events (structured and batch modes); a bearer token is checked against its SHA-256 with
hmac.compare_digest; each event is validated with jsonschema against Schemas/event.schema.json (the validator
built once); confluent-kafka (librdkafka underneath: idempotent, acks=all, lz4, murmur2_random) sends each one keyed
by its subject, and the answer waits for every delivery report (a future per event, resolved on the event loop from
a polling thread).

  python_serve.py PORT BOOTSTRAP TOPIC TOKEN
"""
import asyncio
import hashlib
import hmac
import json
import os
import sys
import threading

import jsonschema
from aiohttp import web
from confluent_kafka import Producer
from referencing import Registry, Resource

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def validator():
    """A Draft 2020-12 validator of the envelope, with every schema of Schemas/ registered for its $refs."""
    resources = []
    for directory, _, files in os.walk(os.path.join(ROOT, "Schemas")):
        for name in files:
            if name.endswith(".schema.json"):
                with open(os.path.join(directory, name), encoding="utf-8") as handle:
                    schema = json.load(handle)
                resources.append((schema.get("$id", name), Resource.from_contents(schema)))
    registry = Registry().with_resources(resources)
    with open(os.path.join(ROOT, "Schemas/event.schema.json"), encoding="utf-8") as handle:
        envelope = json.load(handle)
    return jsonschema.Draft202012Validator(envelope, registry=registry)


def main():
    port, bootstrap, topic, token = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    token_hash = hashlib.sha256(token.encode()).digest()
    check = validator()
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True, "acks": "all", "linger.ms": 5,
                         "compression.codec": "lz4", "partitioner": "murmur2_random"})
    running = True

    def poll():
        while running:
            producer.poll(0.05)

    threading.Thread(target=poll, daemon=True).start()

    async def events(request):
        authorization = request.headers.get("Authorization", "")
        presented = authorization[7:] if authorization.startswith("Bearer ") else ""
        if not hmac.compare_digest(hashlib.sha256(presented.encode()).digest(), token_hash):
            return web.json_response({"title": "unauthorized"}, status=401)
        media = request.content_type
        body = await request.read()
        try:
            document = json.loads(body)
        except ValueError as error:
            return web.json_response({"title": "malformed", "detail": str(error)}, status=400)
        batch = document if media == "application/cloudevents-batch+json" else [document]
        for index, event in enumerate(batch):
            error = next(check.iter_errors(event), None)
            if error is not None:
                return web.json_response({"title": "invalid", "detail": f"event {index}: {error.message}"}, status=400)
        loop = asyncio.get_running_loop()
        futures = []
        for event in batch:
            future = loop.create_future()

            def report(error, message, future=future):
                outcome = (error, None) if error else (None, (message.topic(), message.partition(), message.offset()))
                loop.call_soon_threadsafe(lambda: future.done() or future.set_result(outcome))

            producer.produce(topic, key=event["subject"].encode(), value=json.dumps(event).encode(), on_delivery=report,
                             headers={"content-type": "application/cloudevents+json; charset=utf-8"})
            futures.append(future)
        try:
            outcomes = await asyncio.wait_for(asyncio.gather(*futures), timeout=10)
        except asyncio.TimeoutError:
            return web.json_response({"title": "not acknowledged"}, status=503, headers={"Retry-After": "5"})
        if any(error for error, _ in outcomes):
            return web.json_response({"title": "not acknowledged"}, status=503, headers={"Retry-After": "5"})
        return web.json_response({"accepted": len(batch), "events": [
            {"id": event.get("id"), "topic": place[0], "partition": place[1], "offset": place[2]}
            for event, (_, place) in zip(batch, outcomes)]})

    app = web.Application(client_max_size=4 << 20)
    app.router.add_post("/events", events)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)
    running = False
    producer.flush(5)


if __name__ == "__main__":
    main()
