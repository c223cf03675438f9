"""Abuses jump-consumer's HTTP endpoint the way a hostile or broken client would, and reports what happened as
one JSON object: how long /healthz took to answer under a flood of idle connections, and how long the server
kept a partial request, a slow request, garbage and an oversized header open. Bounded: every wait has a limit.

usage: http_abuse.py PORT IDLE_CONNECTIONS
"""
import json
import socket
import sys
import time

PORT = int(sys.argv[1])
IDLE = int(sys.argv[2])
LIMIT = 30.0


def healthz_seconds():
    """Seconds until GET /healthz answers 200 (None past the limit)."""
    start = time.time()
    while time.time() - start < LIMIT:
        try:
            with socket.create_connection(("127.0.0.1", PORT), timeout=3) as s:
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                data = b""
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                if data.startswith(b"HTTP/1.1 200"):
                    return time.time() - start
        except OSError:
            pass
        time.sleep(0.2)
    return None


def closed_after(payload, trickle=None):
    """Seconds until the server closes a connection that sent `payload` (then `trickle`, a byte a second),
    and the first bytes it answered; None past the limit."""
    s = socket.create_connection(("127.0.0.1", PORT), timeout=LIMIT)
    start = time.time()
    answer = b""
    try:
        s.sendall(payload)
        s.settimeout(1.0)
        while time.time() - start < LIMIT:
            try:
                chunk = s.recv(65536)
                if not chunk:
                    return time.time() - start, answer[:40].decode("latin-1")
                answer += chunk
            except socket.timeout:
                if trickle:
                    s.sendall(trickle)
            except (ConnectionResetError, BrokenPipeError):
                return time.time() - start, answer[:40].decode("latin-1")
    except (ConnectionResetError, BrokenPipeError):
        return time.time() - start, answer[:40].decode("latin-1")
    finally:
        s.close()
    return None, answer[:40].decode("latin-1")


report = {}
flood = []
for _ in range(IDLE):
    s = socket.socket()
    s.setblocking(False)
    try:
        s.connect(("127.0.0.1", PORT))
    except BlockingIOError:
        pass
    flood.append(s)
time.sleep(0.5)
report["healthzUnderFlood"] = healthz_seconds()
for s in flood:
    s.close()
time.sleep(0.5)
report["partialRequest"] = closed_after(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
report["slowRequest"] = closed_after(b"GET /healthz HTTP/1.1\r\n", trickle=b"X")
report["garbage"] = closed_after(b"\x00\xff\x16\x03\x01 not http at all\r\n\r\n")
report["oversizedHeader"] = closed_after(b"GET / HTTP/1.1\r\nX-Big: " + b"a" * 200000 + b"\r\n\r\n")
report["unknownPath"] = closed_after(b"GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
report["postReadyz"] = closed_after(b"POST /readyz HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello")
report["healthzAfter"] = healthz_seconds()
print(json.dumps(report))
