#!/usr/bin/python3
"""bench/idle.py: the memory restauthd keeps for idle keep-alive connections.

Starts restauthd on 127.0.0.1 (plain HTTP, then TLS with a P-256 certificate) with limits high
enough for the test, opens N connections that each make one authenticated request and then
stay open and idle, and reads the server's resident memory (VmRSS) before and after. Prints one
line per mode and exits 1 when a mode goes over the per-connection budget. Everything it starts
is stopped by PID, and its temporary directory is removed. Run by bench/idle.sh, which raises
the limit on open files first.
"""
import argparse
import base64
import os
import selectors
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time

REQUEST = ("GET /dev/v1/projects HTTP/1.1\r\nHost: 127.0.0.1\r\n"
           "Authorization: Basic {auth}\r\n\r\n")


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli(binary, store, *args):
    cp = subprocess.run([binary, *args, "--store", store], capture_output=True, text=True,
                        check=True, timeout=60)
    return cp.stdout


def make_pair(binary, store):
    cli(binary, store, "init")
    cli(binary, store, "account", "add", "idle")
    out = cli(binary, store, "secret", "add", "--account", "idle")
    fields = dict(line.split(": ", 1) for line in out.splitlines() if ": " in line)
    return fields["customer_id"], fields["customer_secret"]


def make_cert(directory):
    cert, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1",
                    "-days", "2", "-keyout", key, "-out", cert],
                   check=True, capture_output=True, timeout=60)
    return cert, key


def start(binary, store, port, tls, count):
    argv = [binary, "serve", "--store", store, "--listen", f"127.0.0.1:{port}",
            "--max-conns", str(count + 64), "--max-conns-per-ip", str(count + 64),
            "--idle-timeout", "600", "--rate-limit", "0"]
    if tls:
        argv += ["--tls-cert", tls[0], "--tls-key", tls[1]]
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    line = proc.stderr.readline().decode()
    if "listening on" not in line:
        proc.kill()
        proc.wait()
        raise RuntimeError(f"restauthd did not start: {line}")
    return proc


def read_reply(sock):
    """Read one reply with a Content-Length body; True for a 2xx."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            return False
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(body) < length:
        chunk = sock.recv(4096)
        if not chunk:
            return False
        body += chunk
    return head.startswith(b"HTTP/1.1 2")


def open_idle(port, count, tls_ctx, request):
    """count connections, each after one authenticated request; returns them."""
    conns = []
    for i in range(count):
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        if tls_ctx is not None:
            s = tls_ctx.wrap_socket(s, server_hostname="127.0.0.1")
        s.sendall(request)
        if not read_reply(s):
            raise RuntimeError(f"connection {i}: the request was not answered with 2xx")
        conns.append(s)
    return conns


def measure(binary, store, request, count, tls):
    port = free_port()
    proc = start(binary, store, port, tls, count)
    conns = []
    try:
        ctx = None
        if tls:
            ctx = ssl.create_default_context(cafile=tls[0])
        # One connection first, so that the start-up allocations are in the baseline.
        warm = open_idle(port, 1, ctx, request)
        warm[0].close()
        time.sleep(0.5)
        before = rss_kib(proc.pid)
        conns = open_idle(port, count, ctx, request)
        time.sleep(1.0)
        after = rss_kib(proc.pid)
        alive = sum(1 for c in conns if c.fileno() >= 0)
        return before, after, alive
    finally:
        for c in conns:
            c.close()
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--restauthd", default=os.environ.get("RESTAUTHD", "build/bin/restauthd"))
    ap.add_argument("--connections", type=int, default=10000)
    ap.add_argument("--budget-kib", type=float, default=10.0,
                    help="largest RSS per idle connection that passes (KiB)")
    ap.add_argument("--modes", default="plain,tls")
    args = ap.parse_args()
    binary = os.path.abspath(args.restauthd)
    tmp = tempfile.mkdtemp(prefix="restauth-idle-")
    failed = False
    try:
        store = f"sqlite:{tmp}/store.db"
        cid, secret = make_pair(binary, store)
        auth = base64.b64encode(f"{cid}:{secret}".encode()).decode()
        request = REQUEST.format(auth=auth).encode()
        tls = make_cert(tmp)
        print(f"idle: {args.connections} idle keep-alive connections, each after one "
              f"authenticated request; {binary}")
        for mode in args.modes.split(","):
            before, after, alive = measure(binary, store, request, args.connections,
                                           tls if mode == "tls" else None)
            per = (after - before) / args.connections
            ok = per < args.budget_kib and alive == args.connections
            failed |= not ok
            print(f"{mode:5}: RSS {before / 1024:.1f} MiB -> {after / 1024:.1f} MiB, "
                  f"{per:.2f} KiB per connection, {alive} open "
                  f"({'within' if ok else 'over'} {args.budget_kib:g} KiB)")
            sys.stdout.flush()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
