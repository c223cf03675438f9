"""Abuses `jump-producer serve` the way a hostile or broken client would, over raw sockets, and prints one JSON
object: for each abuse, the status line the server answered (or "closed") and the seconds it took; and whether
/healthz still answered at the end. Bounded: every wait has a limit.

usage: serve_abuse.py PORT TOKEN EVENT_JSON
"""
import json
import re
import select
import socket
import sys
import time

PORT, TOKEN = int(sys.argv[1]), sys.argv[2]
EVENT = open(sys.argv[3], "rb").read().strip()
LIMIT = 30.0


def exchange(payload, then=None, answers=1):
    """Sends `payload` (then calls `then(socket)` to keep sending); returns the status lines of the first
    `answers` answers ("closed" when the server closed first) and the seconds until the last one."""
    s = socket.create_connection(("127.0.0.1", PORT), timeout=LIMIT)
    start = time.time()
    data = b""
    try:
        s.sendall(payload)
        if then:
            then(s)
        s.settimeout(1.0)
        while time.time() - start < LIMIT and data.count(b"HTTP/1.1 ") < answers:
            try:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
            except socket.timeout:
                continue
            except OSError:
                break
    finally:
        s.close()
    lines = [match.decode("latin-1") for match in re.findall(rb"HTTP/1\.1 [0-9]{3}[^\r]*", data)]
    return {"statuses": lines or ["closed"], "seconds": round(time.time() - start, 2), "body": data[-600:].decode("utf-8", "replace")}


def post(body, content_type="application/cloudevents+json", extra=b""):
    return (b"POST /events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN.encode() + b"\r\nContent-Type: "
            + content_type.encode() + b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\n" + extra + b"\r\n"
            + body)


def endless(s):
    """A chunked body that never ends: 1 KiB chunks for as long as the server reads them."""
    chunk = b"400\r\n" + b" " * 1024 + b"\r\n"
    s.settimeout(0.5)
    start = time.time()
    try:
        while time.time() - start < LIMIT:
            s.sendall(chunk)
    except OSError:
        pass


def trickle(s):
    """A header that never ends: a byte each time the server has said nothing for half a second, for up to 15 s.
    It waits on the socket itself, so it stops as soon as the server answers or closes (then `exchange` reads
    what came)."""
    start = time.time()
    try:
        s.sendall(b"X-Slow: ")
        while time.time() - start < 15:
            readable, _, _ = select.select([s], [], [], 0.5)
            if readable:
                return
            s.sendall(b"a")
    except OSError:
        pass


report = {
    "slowHeaders": exchange(b"POST /events HTTP/1.1\r\nHost: x\r\n", then=trickle),
    "slowBody": exchange(b"POST /events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN.encode()
                         + b"\r\nContent-Type: application/cloudevents+json\r\nContent-Length: 1000\r\n\r\n{\"spec"),
    "endlessBody": exchange(b"POST /events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN.encode()
                            + b"\r\nContent-Type: application/cloudevents+json\r\nTransfer-Encoding: chunked\r\n\r\n",
                            then=endless),
    "hugeHeaders": exchange(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 200_000 + b"\r\n\r\n"),
    "malformedJSON": exchange(post(b'{"specversion": "1.0", "type": ')),
    "wrongMediaType": exchange(post(EVENT, "application/xml")),
    # Small elements: the body (about 30 KB) is within the byte limit, so the count is what refuses it.
    "batchOf10000": exchange(post(b"[" + b",".join([b"{}"] * 10_000) + b"]", "application/cloudevents-batch+json")),
    "oversizedElement": exchange(post(b'[{"pad": "' + b"x" * 70_000 + b'"}]', "application/cloudevents-batch+json")),
    "emptyBatch": exchange(post(b"[]", "application/cloudevents-batch+json")),
    "pipelined": exchange(post(EVENT) + post(EVENT) + b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", answers=3),
}
report["healthzAfter"] = exchange(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")["statuses"]
print(json.dumps(report))
