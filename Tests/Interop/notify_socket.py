#!/usr/bin/env python3
"""Listens like systemd's notify socket: binds a Unix datagram socket at PATH, prints "listening", then one
line per datagram received (line breaks inside a datagram shown as "|"), for jump-relay's systemd test."""
import os
import socket
import sys

path = sys.argv[1]
if os.path.exists(path):
    os.unlink(path)
receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
receiver.bind(path)
print("listening", flush=True)
while True:
    data = receiver.recv(4096)
    print(data.decode("utf-8", "replace").replace("\n", "|"), flush=True)
