# SPDX-License-Identifier: MIT
"""Three restauthd nodes on one real PostgreSQL 15 (started by tests/pg/pg-server.sh on a free
port in a temporary directory): revocation reaching every node (50 revocations, p50/p99
printed), cluster-wide rate limit and failure throttle, quotas under concurrent writes on two
nodes, `secret delete --wait`, PostgreSQL stopping and coming back, and a node killed with
kill -9 catching up."""

import base64
import concurrent.futures
import http.client
import json
import os
import secrets
import subprocess
import time
from pathlib import Path

import pytest

from e2e_lib import (Console, Server, admin_get, free_port, metric, parse_metrics, project_list,
                     read_secret_file, scrape, set_login, wait_tcp)

ROOT = Path(__file__).resolve().parents[2]
PG = ROOT / "tests" / "pg" / "pg-server.sh"
EMAIL = "owner@example.com"
PASSWORD = "correct horse battery staple"


class Node(Server):
    """A restauthd sharing the cluster's store and server key."""

    def __init__(self, directory, cert, key, store, key_file):
        super().__init__(directory, cert, key)
        self.store = store
        self.key_file = str(key_file)

    def cli(self, *args, store=True, check=False, timeout=60):
        return super().cli(*args, "--key-file", self.key_file, store=store, check=check,
                           timeout=timeout)

    def serve_argv(self, *extra, port=None, tls=True, access_log=True):
        return super().serve_argv("--key-file", self.key_file, *extra, port=port, tls=tls,
                                  access_log=access_log)


@pytest.fixture(scope="module")
def pg():
    """A PostgreSQL server for this module, in a directory the script makes (the postgres
    user must reach it, which pytest's own temporary directories do not allow)."""
    directory = Path(f"/tmp/ra-e2e-pgc-{os.getpid()}-{secrets.token_hex(4)}")
    cp = subprocess.run(["bash", str(PG), "start", str(directory)], stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE, text=True, timeout=120)
    if cp.returncode != 0:
        subprocess.run(["bash", str(PG), "stop", str(directory)], timeout=120)
        pytest.fail(f"cannot start PostgreSQL: {cp.stderr}")
    uri = cp.stdout.strip().splitlines()[-1]
    yield directory, uri
    subprocess.run(["bash", str(PG), "stop", str(directory)], check=True, timeout=120)


def pg_ctl(pg, verb):
    cp = subprocess.run(["bash", str(PG), verb, str(pg[0])], stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE, text=True, timeout=120)
    assert cp.returncode == 0, cp.stderr


@pytest.fixture
def cluster(pg, tmp_path, tls_files):
    """A fresh database and three nodes (not started): returns a list of Node."""
    directory, uri = pg
    db = f"t{time.monotonic_ns()}"
    subprocess.run(["runuser", "-u", "postgres", "--", "/usr/lib/postgresql/15/bin/psql", "-h",
                    str(directory), "-p", uri.split(":")[3].split("/")[0], "-U", "restauth",
                    "-d", "restauth", "-c", f"CREATE DATABASE {db}"], check=True,
                   stdout=subprocess.DEVNULL)
    store = uri.replace("/restauth?", f"/{db}?")
    key = tmp_path / "server.key"
    nodes = [Node(tmp_path / f"node{i}", *tls_files, store, key) for i in range(3)]
    nodes[0].init()
    yield nodes
    for n in nodes:
        if n.proc is not None:
            n.stop()


def post_json(node, path, body, cred):
    """POST on a connection of its own (the Server's connection is not for threads)."""
    conn = http.client.HTTPSConnection("127.0.0.1", node.port, context=node.ctx, timeout=15)
    auth = base64.b64encode(f"{cred[0]}:{cred[1]}".encode()).decode()
    try:
        conn.request("POST", path, body=json.dumps(body),
                     headers={"Content-Type": "application/json", "Authorization": f"Basic {auth}"})
        return conn.getresponse().status
    finally:
        conn.close()


def start_all(nodes, *args):
    for n in nodes:
        n.start("--rate-limit", "0", "--auth-fail-limit", "0", *args)
    wait_until(lambda: live(nodes[0]) == len(nodes))


def all_applied(node):
    """True when every node has applied the whole feed (`cluster status` shows no lag)."""
    cp = node.cli("cluster", "status", check=True)
    rows = [line.split("\t") for line in cp.stdout.splitlines()[2:]]
    return rows and all(r[2] == "0" for r in rows if r[4] == "live")


def live(node):
    cp = node.cli("cluster", "status", check=True)
    return sum(line.endswith("\tlive") for line in cp.stdout.splitlines())


def wait_until(cond, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


def signed_in(node):
    node.add_account("owner")
    node.add_secret("owner")
    set_login(node, "owner", EMAIL, PASSWORD)
    c = Console(node)
    assert c.signin(EMAIL, PASSWORD).status == 200
    return c


def test_revocation_reaches_every_node(cluster):
    a, b, c = cluster
    start_all(cluster)
    console = signed_in(a)
    delays = []
    for i in range(50):
        pid = console.add_pair()
        r = console.download(pid)
        path = a.dir / f"k{i}.txt"
        path.write_bytes(r.body)
        cred = read_secret_file(path)
        for n in (b, c):  # made on A, it works on B and C
            assert n.wait_auth_ok(cred, timeout=2.0).status == 201
        r = console.call("POST", "credentials/delete", {"customer_id": pid})
        assert r.status == 200, r
        t0 = time.monotonic()
        pending = {id(b): b, id(c): c}
        while pending:
            for key, n in list(pending.items()):
                if n.request("GET", "/dev/v1/projects", cred=cred).status == 401:
                    del pending[key]
            assert time.monotonic() - t0 < 1.0, "a deleted pair still worked after 1 s"
        delays.append((time.monotonic() - t0) * 1000)
    delays.sort()
    p50, p99 = delays[len(delays) // 2], delays[int(len(delays) * 0.99) - 1]
    print(f"\nrevocation reaching B and C over 50 deletions: p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    assert p99 <= 1000


def test_cluster_wide_rate_limit_and_throttle(cluster):
    for n in cluster:
        n.start("--rate-limit", "10", "--auth-fail-limit", "6")
    wait_until(lambda: live(cluster[0]) == 3)
    time.sleep(1.2)  # every node has seen the others' heartbeats
    a = cluster[0]
    cred = a.account_with_secret("hammer")
    for n in cluster:
        assert n.wait_auth_ok(cred).status in (201, 429)
    time.sleep(1.1)  # a fresh window everywhere
    t0 = time.monotonic()
    statuses = [cluster[i % 3].request("GET", "/dev/v1/projects", cred=cred).status
                for i in range(18)]
    assert time.monotonic() - t0 < 1.0, "the burst took longer than one window"
    ok = statuses.count(201)
    assert 8 <= ok <= 12, statuses
    assert statuses.count(429) == 18 - ok
    # The failure throttle holds across the nodes the same way: 6 failures a minute in all.
    wrong = (cred[0], "0" * 32)
    statuses = [cluster[i % 3].request("GET", "/dev/v1/projects", cred=wrong).status
                for i in range(12)]
    assert 4 <= statuses.count(401) <= 8 and statuses[-3:] == [429] * 3, statuses


def test_quotas_hold_under_concurrent_writes_on_two_nodes(cluster):
    a, b, _ = cluster
    for n in (a, b):
        n.start("--rate-limit", "0", "--max-projects", "20", "--max-secrets", "10")
    cred = a.account_with_secret("quota")
    for n in (a, b):
        assert n.wait_auth_ok(cred).status == 201

    def create(i):
        n = (a, b)[i % 2]
        return post_json(n, "/dev/v1/project", {"name": f"p{i}"}, cred)

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(create, range(40)))
    assert statuses.count(201) == 20 and statuses.count(400) == 20, statuses
    assert len(project_list(b.request("GET", "/dev/v1/projects", cred=cred))) == 20

    set_login(a, "quota", EMAIL, PASSWORD)
    consoles = [Console(a), Console(b)]
    for c in consoles:
        assert c.signin(EMAIL, PASSWORD).status == 200

    def add_ten(console):  # one thread per node: each node's connection has one user
        return [console.call("POST", "credentials").status for _ in range(10)]

    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        statuses = sum(pool.map(add_ten, consoles), [])
    assert statuses.count(201) == 9 and statuses.count(409) == 11, statuses  # 1 + 9 = 10


def test_delete_wait_on_three_nodes(cluster):
    start_all(cluster)
    a = cluster[0]
    a.add_account("w")
    a.add_secret("w")
    gone = a.add_secret("w")
    cp = a.cli("secret", "delete", gone[0], "--wait=5")
    assert cp.returncode == 0, cp.stderr
    assert cp.stdout.strip() == "applied by 3 of 3 live nodes", cp.stdout
    for n in cluster:
        assert n.request("GET", "/dev/v1/projects", cred=gone).status == 401


def test_postgresql_stops_and_comes_back(pg, cluster):
    start_all(cluster)
    a, b, c = cluster
    cred = a.account_with_secret("faults")
    assert a.wait_auth_ok(cred).status != 401  # the CLI's pair reaches a node through the feed
    made = a.create(cred, "kept")
    wait_until(lambda: all_applied(a))  # no feed row left to drop a list cached now
    for n in cluster:
        assert len(project_list(n.wait_auth_ok(cred))) == 1  # cached on every node
    pg_ctl(pg, "halt")
    try:
        for n in cluster:
            # Authentication and project GETs are served from memory.
            assert project_list(n.request("GET", "/dev/v1/projects", cred=cred))[0]["id"] == made["id"]
            for query in (f"id={made['id']}", "name=kept"):
                got = project_list(n.request("GET", f"/dev/v1/project?{query}", cred=cred))
                assert [p["id"] for p in got] == [made["id"]], got
            assert n.request("GET", "/dev/v1/project?name=nope", cred=cred).status == 404
            assert n.request("GET", "/dev/v1/projects", cred=("0" * 32, "0" * 32)).status == 401
            # A write is refused, never acknowledged.
            r = n.request("POST", "/dev/v1/project", {"name": "while-down"}, cred=cred)
            assert r.status == 503, r
            assert r.header("Retry-After") is not None and r.json()["message"], r
    finally:
        pg_ctl(pg, "resume")
    # The nodes reconnect by themselves.
    deadline = time.monotonic() + 15
    while True:
        r = b.request("POST", "/dev/v1/project", {"name": "after"}, cred=cred)
        if r.status == 201 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert r.status == 201, r
    # Nothing written while it was down; the new project reaches every node's cache.
    def names(n):
        return [p["name"] for p in project_list(n.request("GET", "/dev/v1/projects", cred=cred))]

    for n in cluster:
        wait_until(lambda: names(n) == ["kept", "after"], timeout=2.0)
    # And they catch up on changes made after it came back.
    other = a.add_secret("faults")
    for n in cluster:
        assert n.wait_auth_ok(other, timeout=5).status == 201


def test_readyz_follows_the_store(pg, cluster):
    node = cluster[0]
    port = free_port()
    node.start("--admin-listen", f"127.0.0.1:{port}")
    assert wait_tcp(port, node.proc, 10), node.stderr_text()[-2000:]

    def readyz():
        return admin_get(port, "/readyz")[::2]

    wait_until(lambda: readyz()[0] == 200)
    assert readyz() == (200, b'{"status":"ready","failing":[]}')
    assert metric(parse_metrics(scrape(port)), "restauthd_store_up") == 1
    pg_ctl(pg, "halt")
    try:
        # The probe is reused for about a second, then finds the store gone.
        wait_until(lambda: readyz()[0] == 503)
        assert readyz() == (503, b'{"status":"not ready","failing":["store"]}')
        assert admin_get(port, "/healthz")[0] == 200
        got = parse_metrics(scrape(port))
        assert metric(got, "restauthd_store_up") == 0
        assert metric(got, "restauthd_store_errors_total") >= 1
    finally:
        pg_ctl(pg, "resume")
    wait_until(lambda: readyz()[0] == 200, timeout=20)


def test_a_killed_node_catches_up(cluster):
    start_all(cluster)
    a, b, c = cluster
    a.add_account("k9")
    keep, gone = a.add_secret("k9"), a.add_secret("k9")
    assert c.wait_auth_ok(gone).status == 201
    c.kill9()
    assert a.cli("secret", "delete", gone[0]).returncode == 0
    fresh = a.add_secret("k9")
    c.start("--rate-limit", "0")
    assert c.request("GET", "/dev/v1/projects", cred=gone).status == 401
    assert c.wait_auth_ok(fresh).status == 201
    assert c.request("GET", "/dev/v1/projects", cred=keep).status == 201


def test_lifecycle_across_nodes(cluster):
    """A disable made through node A's console is refused on node B; an expiry is enforced
    by both nodes at its second, without waiting for a sync."""
    a_node, b_node = cluster[0], cluster[1]
    a_node.add_account("life")
    first = a_node.add_secret("life")
    second = a_node.add_secret("life")
    third = a_node.add_secret("life")
    set_login(a_node, "life", EMAIL, PASSWORD)
    start_all([a_node, b_node])
    for node in (a_node, b_node):
        for cred in (first, second, third):
            assert node.wait_auth_ok(cred).status == 201
    c = Console(a_node)
    assert c.signin(EMAIL, PASSWORD).status == 200
    r = c.call("POST", "credentials/disable", {"customer_id": first[0]})
    assert r.status == 200, r
    assert a_node.request("GET", "/dev/v1/projects", cred=first).status == 401
    wait_until(lambda: b_node.request("GET", "/dev/v1/projects", cred=first).status == 401, 5)

    at = int(time.time()) + 3
    when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(at))
    cp = a_node.cli("secret", "expire", second[0], "--at", when)
    assert cp.returncode == 0, cp.stderr
    wait_until(lambda: all_applied(a_node))
    for node in (a_node, b_node):
        if time.time() < at - 0.5:
            assert node.request("GET", "/dev/v1/projects", cred=second).status == 201
    while time.time() < at + 0.2:
        time.sleep(0.05)
    for node in (a_node, b_node):
        assert node.request("GET", "/dev/v1/projects", cred=second).status == 401
        assert node.request("GET", "/dev/v1/projects", cred=third).status == 201
    # The audit log is in the shared store: both nodes' CLI see the console's change.
    cp = b_node.cli("audit", "list", "--account", "life", check=True)
    actions = [json.loads(line)["action"] for line in cp.stdout.splitlines()]
    assert actions[:2] == ["credential.expire", "credential.disable"], actions
