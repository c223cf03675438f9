#!/usr/bin/env python3
"""A real SMTP server on loopback for jump-relay's e-mail tests (aiosmtpd).

  mail_catcher.py MAILDIR [--delay SECONDS] [--reject ADDRESS]...

Prints "port=N" once it listens, then stores every accepted message as MAILDIR/NNNN.json:
{"from", "to": [...], "message_id", "subject", "body", "attachments": [{"filename", "content_type", "charset",
"bytes_utf8"}]} with the subject, the text body and the attachments decoded (a byte-order mark kept as U+FEFF). --delay waits
before accepting each message (to kill a sender mid-delivery); --reject answers 550 to RCPT TO that address.
Stops on SIGTERM.
"""
import argparse
import asyncio
import email
import email.header
import email.policy
import json
import os
import signal
import socket
import sys
import threading

from aiosmtpd.controller import Controller


class Catcher:
    def __init__(self, maildir, delay, rejected):
        self.maildir = maildir
        self.delay = delay
        self.rejected = set(rejected)
        self.count = 0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.rejected:
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        text = message.get_body(preferencelist=("plain",))
        attachments = [
            {
                "filename": part.get_filename(),
                "content_type": part.get_content_type(),
                "charset": part.get_content_charset(),
                "bytes_utf8": part.get_payload(decode=True).decode("utf-8"),
            }
            for part in message.iter_attachments()
        ] if message.is_multipart() else []
        record = {
            "from": envelope.mail_from,
            "to": envelope.rcpt_tos,
            "message_id": message["Message-ID"],
            "digest_id": message["X-Jump-Digest-Id"],
            "subject": str(message["Subject"]),
            "body": text.get_content() if text is not None else "",
            "attachments": attachments,
        }
        with self.lock:
            self.count += 1
            path = os.path.join(self.maildir, f"{self.count:04d}.json")
        with open(path + ".tmp", "w", encoding="utf-8") as handle:
            json.dump(record, handle, ensure_ascii=False)
        os.rename(path + ".tmp", path)
        return "250 Message accepted for delivery"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("maildir")
    parser.add_argument("--delay", type=float, default=0)
    parser.add_argument("--reject", action="append", default=[])
    arguments = parser.parse_args()
    os.makedirs(arguments.maildir, exist_ok=True)
    port = free_port()
    controller = Controller(
        Catcher(arguments.maildir, arguments.delay, arguments.reject), hostname="127.0.0.1", port=port)
    controller.start()
    print(f"port={port}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    sys.exit(main())
