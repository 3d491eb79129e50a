# SPDX-License-Identifier: MIT
"""Slow clients: a request head has a deadline that received bytes do not move, and
connections that trickle header bytes from a few addresses do not lock an honest client out.

1,000 connections from 127.0.0.2-127.0.0.5 send a request head one byte at a time while a
client on 127.0.0.1 makes authenticated requests on new connections. The honest client is never
refused, and every slow connection is closed once the head deadline (--header-timeout) has
passed, although it kept sending. Loopback only; bounded in time.
"""
import resource
import selectors
import socket
import time

from e2e_lib import basic_value, read_until_closed

SLOW = 1000
SOURCES = ["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"]
HEADER_TIMEOUT = 3  # seconds, given to the server
TRICKLE_EVERY = 0.5  # seconds between two bytes of a slow head
HONEST_FOR = 4.0  # seconds of honest requests while the slow heads trickle


def raise_nofile(need):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(need, hard), hard))


def open_slow(port):
    """SLOW connections from the SOURCES, each having sent the start of a request head."""
    conns = []
    for i in range(SLOW):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind((SOURCES[i % len(SOURCES)], 0))
        s.settimeout(5)
        s.connect(("127.0.0.1", port))
        s.setblocking(False)
        s.send(b"GET /dev/v1/projects HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        conns.append([s, time.monotonic(), None])  # socket, connected at, closed at
    return conns


def trickle(conns, sel):
    """One more header byte on every open slow connection; note the ones the server closed."""
    now = time.monotonic()
    for c in conns:
        if c[2] is not None:
            continue
        try:
            c[0].send(b"a")
        except (BrokenPipeError, ConnectionResetError):
            c[2] = now
    for key, _ in sel.select(timeout=0):
        c = key.data
        try:
            data = c[0].recv(4096)
        except (BlockingIOError, InterruptedError):
            continue
        except ConnectionResetError:
            data = b""
        if data == b"" and c[2] is None:
            c[2] = time.monotonic()
            sel.unregister(c[0])


def honest_request(port, auth):
    """One authenticated request on a new connection from 127.0.0.1; (status, seconds)."""
    start = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=10,
                                  source_address=("127.0.0.1", 0)) as s:
        s.sendall(b"GET /dev/v1/projects HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  b"Authorization: " + auth.encode() + b"\r\nConnection: close\r\n\r\n")
        data = read_until_closed(s, 4096)
    status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/1.1 ") else 0
    return status, time.monotonic() - start


def test_slow_heads_do_not_lock_out_an_honest_client(make_server):
    raise_nofile(SLOW + 256)
    srv = make_server()
    cred = srv.account_with_secret("honest")
    srv.start("--header-timeout", str(HEADER_TIMEOUT), "--rate-limit", "0", tls=False)
    auth = basic_value(cred)
    assert honest_request(srv.port, auth)[0] in (200, 201)

    conns = open_slow(srv.port)
    sel = selectors.DefaultSelector()
    for c in conns:
        sel.register(c[0], selectors.EVENT_READ, c)
    latencies, refused = [], []
    try:
        started = time.monotonic()
        next_trickle = started
        while time.monotonic() - started < HONEST_FOR:
            if time.monotonic() >= next_trickle:
                trickle(conns, sel)
                next_trickle += TRICKLE_EVERY
            try:
                status, took = honest_request(srv.port, auth)
            except OSError as e:
                refused.append(repr(e))
                continue
            if status not in (200, 201):
                refused.append(f"status {status}")
            latencies.append(took)
        # Keep trickling until every slow head is past its deadline, with some slack.
        last_connect = max(c[1] for c in conns)
        while time.monotonic() < last_connect + HEADER_TIMEOUT + 3:
            trickle(conns, sel)
            time.sleep(TRICKLE_EVERY)
        trickle(conns, sel)
    finally:
        sel.close()
        for c in conns:
            c[0].close()

    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1] if latencies else float("inf")
    print(f"honest client: {len(latencies)} requests among {SLOW} slow heads, "
          f"p99 {p99 * 1000:.2f} ms")
    assert not refused, refused[:5]
    assert len(latencies) >= 20, len(latencies)
    assert p99 < 1.0, f"p99 {p99 * 1000:.1f} ms"  # generous: the machine may be busy
    still_open = [c for c in conns if c[2] is None]
    assert not still_open, f"{len(still_open)} slow heads still open past the deadline"
    early = [c[2] - c[1] for c in conns if c[2] - c[1] < HEADER_TIMEOUT - 0.5]
    assert not early, f"{len(early)} slow heads closed before the deadline: {early[:3]}"
