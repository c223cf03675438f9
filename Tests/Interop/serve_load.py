"""Steady load on `jump-producer serve` for a test: THREADS clients, each posting its own events one request at a
time, round and round its events, until STOP_FILE exists (at most 60 s; a request that started is always
waited for); prints one JSON object:
every answer's status, the ids of the events accepted, and the longest answer in seconds.

usage: serve_load.py PORT TOKEN EVENTS_JSONL THREADS STOP_FILE
"""
import json
import os
import sys
import threading
import time

import requests

PORT, TOKEN, EVENTS = int(sys.argv[1]), sys.argv[2], sys.argv[3]
THREADS, STOP_FILE = int(sys.argv[4]), sys.argv[5]
events = [line for line in open(EVENTS, encoding="utf-8") if line.strip()]
lock = threading.Lock()
report = {"statuses": [], "accepted": [], "longest": 0.0}


def client(number):
    session = requests.Session()
    end = time.monotonic() + 60
    index = number
    while time.monotonic() < end and not os.path.exists(STOP_FILE):
        started = time.monotonic()
        answer = session.post(f"http://127.0.0.1:{PORT}/events", data=events[index].encode(), timeout=60,
                              headers={"Authorization": f"Bearer {TOKEN}",
                                       "Content-Type": "application/cloudevents+json"})
        with lock:
            report["statuses"].append(answer.status_code)
            report["longest"] = max(report["longest"], time.monotonic() - started)
            if answer.status_code == 200:
                report["accepted"] += [event["id"] for event in answer.json()["events"]]
        index = (index + THREADS) % len(events)  # round again: sending an event twice is allowed


threads = [threading.Thread(target=client, args=(number,)) for number in range(THREADS)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(json.dumps(report))
