#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""bench/capacity.py: what each write and each sync operation costs PostgreSQL, measured on
one restauthd node over a throwaway PostgreSQL 15 (tests/pg/pg-server.sh), for the capacity
plan in docs/capacity.md.

For each operation it runs it N times and reports the client's median latency and the
PostgreSQL transactions it took (pg_stat_database, less the node's idle rate over the same
time). Usage: /usr/bin/python3 bench/capacity.py [N]   (RESTAUTHD=... to choose the binary)
Only the processes it started are stopped (by PID); its directories are removed at exit."""

import base64
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = os.environ.get("RESTAUTHD", str(ROOT / "build" / "bin" / "restauthd"))
PG = ROOT / "tests" / "pg" / "pg-server.sh"
N = int(sys.argv[1]) if len(sys.argv) > 1 else 100


# A PostgreSQL 15 backend publishes its statistics at most once a second while busy, and
# within 10 s once idle: wait that long before reading them.
STATS_SETTLE_S = 11


def xacts(uri, settle=True):
    if settle:
        time.sleep(STATS_SETTLE_S)
    out = subprocess.run(["psql", uri, "-tAq", "-c",
                          "SELECT xact_commit + xact_rollback FROM pg_stat_database "
                          "WHERE datname = current_database()"],
                         check=True, stdout=subprocess.PIPE, text=True).stdout
    return int(out.strip())


def main():
    tmp = Path(tempfile.mkdtemp(prefix="restauth-capacity."))
    pgdir = Path(f"/tmp/restauth-capacity-pg-{os.getpid()}")
    node = None
    try:
        uri = subprocess.run(["bash", str(PG), "start", str(pgdir)], check=True,
                             stdout=subprocess.PIPE, text=True).stdout.split()[-1]
        key = tmp / "server.key"

        def ra(*args):
            return subprocess.run([BIN, *args, "--store", uri, "--key-file", str(key)],
                                  check=True, stdout=subprocess.PIPE, text=True).stdout

        ra("init")
        ra("account", "add", "cap")
        out = ra("secret", "add", "--account", "cap")
        cid = re.search(r"customer_id: (\w+)", out).group(1)
        sec = re.search(r"customer_secret: (\w+)", out).group(1)
        auth = "Basic " + base64.b64encode(f"{cid}:{sec}".encode()).decode()
        port = 23000 + os.getpid() % 5000
        err = open(tmp / "node.err", "w")
        node = subprocess.Popen([BIN, "serve", "--store", uri, "--key-file", str(key),
                                 "--listen", f"127.0.0.1:{port}", "--access-log", "off",
                                 "--rate-limit", "0", "--max-projects", str(N + 10)],
                                stderr=err)
        for _ in range(100):
            if "listening on" in (tmp / "node.err").read_text():
                break
            time.sleep(0.1)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)

        def call(method, path, body=None):
            hdrs = {"Authorization": auth}
            if body is not None:
                hdrs["Content-Type"] = "application/json"
            t0 = time.perf_counter()
            conn.request(method, path, json.dumps(body) if body is not None else None, hdrs)
            r = conn.getresponse()
            data = r.read()
            return r.status, data, time.perf_counter() - t0

        x0 = xacts(uri)
        t0 = time.monotonic()
        time.sleep(10)
        idle_rate = (xacts(uri) - x0 - 1) / (time.monotonic() - t0)  # less our own query

        rows = [("idle node: heartbeat and feed polls", f"{idle_rate:.1f} transactions/s", "")]

        def measure(name, fn):
            x0 = xacts(uri)
            t0 = time.monotonic()
            lat = [fn(i) for i in range(N)]
            busy = xacts(uri) - x0 - 1 - idle_rate * (time.monotonic() - t0)
            rows.append((name, f"{statistics.median(lat) * 1000:.2f} ms",
                         f"{max(busy, 0) / N:.2f}"))

        ids = []

        def create(i):
            st, data, dt = call("POST", "/dev/v1/project", {"name": f"p{i}"})
            assert st == 201, (st, data)
            ids.append(json.loads(data)["project"]["id"])
            return dt

        def status(i):
            st, data, dt = call("POST", "/dev/v1/project_status", {"id": ids[i], "status": 0})
            assert st == 201, (st, data)
            return dt

        def list_cached(i):
            st, _, dt = call("GET", "/dev/v1/projects")
            assert st == 201
            return dt

        def get_one(i):
            st, _, dt = call("GET", f"/dev/v1/project?id={ids[i]}")
            assert st == 201
            return dt

        def delete(i):
            st, _, dt = call("DELETE", f"/dev/v1/project?id={ids[i]}")
            assert st == 200
            return dt

        measure("create a project (REST)", create)
        measure("change a project (REST project_status)", status)
        call("GET", "/dev/v1/projects")
        measure("list projects, cached (REST)", list_cached)
        measure("get one project (REST)", get_one)
        measure("delete a project (REST, legacy)", delete)

        print(f"### the database cost of each operation, one node on PostgreSQL 15 ({N} of each)")
        print()
        print("| operation | client latency (median) | PostgreSQL transactions each |")
        print("|---|---:|---:|")
        for name, lat, tx in rows:
            print(f"| {name} | {lat} | {tx} |")
    finally:
        if node is not None:
            node.terminate()
            node.wait()
        subprocess.run(["bash", str(PG), "stop", str(pgdir)])
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":  # about 2 minutes: each measure waits for the statistics
    main()
