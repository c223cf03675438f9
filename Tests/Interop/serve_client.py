"""A client of `jump-producer serve` written from its OpenAPI document alone, with the CloudEvents Python SDK
(binary and structured mode over `requests`) and plain `requests` for a batch and the refusals. Validates the
document (openapi-spec-validator) and every answer against the document's schema for its status; prints one JSON
object: the document's verdict and, per request, its name, status, schema errors and body.

usage: serve_client.py PORT TOKEN EVENTS_JSONL
"""
import json
import sys
from datetime import datetime

import jsonschema
import requests
from cloudevents.core.bindings.http import to_binary, to_structured
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent
from openapi_spec_validator import validate as validate_spec

PORT, TOKEN, EVENTS = int(sys.argv[1]), sys.argv[2], sys.argv[3]
BASE = f"http://127.0.0.1:{PORT}"
AUTH = {"Authorization": f"Bearer {TOKEN}"}

document = requests.get(f"{BASE}/openapi.json", timeout=10).json()
report = {"specErrors": [], "requests": []}
try:
    validate_spec(document)
except Exception as error:  # noqa: BLE001 - any failure is the report
    report["specErrors"].append(str(error))


def check(name, response):
    """Records the answer and whether its body fits the document's schema for its status and media type."""
    declared = document["paths"]["/events"]["post"]["responses"].get(str(response.status_code))
    errors = []
    body = None
    if declared is None:
        errors.append(f"status {response.status_code} is not in the document")
    else:
        media = response.headers.get("Content-Type", "").split(";")[0]
        content = declared.get("content", {}).get(media)
        if content is None:
            errors.append(f"{media} is not a declared content of {response.status_code}")
        else:
            body = response.json()
            schema = dict(content["schema"], components=document["components"])
            errors += [e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(body)]
    report["requests"].append({"name": name, "status": response.status_code, "schemaErrors": errors, "body": body,
                               "retryAfter": response.headers.get("Retry-After")})


events = [json.loads(line) for line in open(EVENTS, encoding="utf-8") if line.strip()]


def sdk_event(event):
    attributes = {k: v for k, v in event.items() if k != "data"}
    if "time" in attributes:
        attributes["time"] = datetime.fromisoformat(attributes["time"].replace("Z", "+00:00"))
    return CloudEvent(attributes=attributes, data=event["data"])


def post(message):
    return requests.post(f"{BASE}/events", headers={**message.headers, **AUTH}, data=message.body, timeout=30)


check("sdk-binary", post(to_binary(sdk_event(events[0]), JSONFormat())))
check("sdk-structured", post(to_structured(sdk_event(events[1]), JSONFormat())))
check("batch", requests.post(f"{BASE}/events", headers={**AUTH, "Content-Type": "application/cloudevents-batch+json"},
                             data=json.dumps(events[2:]).encode(), timeout=30))
invalid = dict(events[0], data={"meetingId": events[0]["data"]["meetingId"]})
check("invalid", requests.post(f"{BASE}/events", headers={**AUTH, "Content-Type": "application/cloudevents+json"},
                               data=json.dumps(invalid).encode(), timeout=30))
check("unauthorized", requests.post(f"{BASE}/events", headers={"Content-Type": "application/cloudevents+json"},
                                    data=json.dumps(events[0]).encode(), timeout=30))
check("media-type", requests.post(f"{BASE}/events", headers={**AUTH, "Content-Type": "text/csv"}, data=b"a,b",
                                  timeout=30))
print(json.dumps(report))
