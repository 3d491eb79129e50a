# SPDX-License-Identifier: MIT
"""Several restauthd nodes on one store: the change feed applied incrementally, the nodes
table (`restauthd cluster status`), and `secret delete --wait`, which returns once every live
node has applied the deletion or names the nodes that have not. SQLite lets several nodes
share one store on one machine; the PostgreSQL cluster has its own tests."""

import os
import re
import signal
import time

from e2e_lib import Server, project_list


def ages(s):
    """{node id: heartbeat age in ms} from `restauthd cluster status`."""
    cp = s.cli("cluster", "status", check=True)
    return {line.split("\t")[0]: int(line.split("\t")[3]) for line in cp.stdout.splitlines()[2:]}


def status(s):
    """{node id: (applied, lag, state)} from `restauthd cluster status`."""
    cp = s.cli("cluster", "status", check=True)
    lines = cp.stdout.splitlines()
    assert re.fullmatch(r"feed head: \d+", lines[0]), cp.stdout
    assert lines[1] == "node\tapplied\tlag\theartbeat_age_ms\tstate", cp.stdout
    nodes = {}
    for line in lines[2:]:
        node, applied, lag, _age, state = line.split("\t")
        nodes[node] = (int(applied), int(lag), state)
    return nodes


def node_of(s):
    """The node id of a started server, from its start-up line (written just after it starts
    listening, so it may need a moment)."""
    deadline = time.monotonic() + 10
    while True:
        m = re.search(r"node (\S+/%d)\b" % s.proc.pid, s.stderr_text())
        if m or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert m, s.stderr_text()
    return m.group(1)


def wait_until(cond, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)


def two_nodes(make_server):
    a = make_server("cluster")
    b = Server(a.dir, a.cert, a.key)  # the same store, another process
    a.start("--rate-limit", "0")
    b.start("--rate-limit", "0")
    ids = (node_of(a), node_of(b))
    wait_until(lambda: all(status(a).get(n, (0, 0, ""))[2] == "live" for n in ids))
    return a, b, ids


def test_delete_wait_confirmed_by_every_node(make_server):
    a, b, ids = two_nodes(make_server)
    try:
        a.add_account("acme")
        keep, gone = a.add_secret("acme"), a.add_secret("acme")
        for s in (a, b):
            project_list(s.wait_auth_ok(gone))
        cp = a.cli("secret", "delete", gone[0], "--wait=5")
        assert cp.returncode == 0, cp.stderr
        assert cp.stdout.strip() == "applied by 2 of 2 live nodes", cp.stdout
        # Confirmed means applied: both nodes refuse it now, without waiting for a poll.
        for s in (a, b):
            assert s.request("GET", "/dev/v1/projects", cred=gone).status == 401
            project_list(s.request("GET", "/dev/v1/projects", cred=keep))
        nodes = status(a)
        for n in ids:
            assert nodes[n][1] == 0 and nodes[n][2] == "live", nodes
        # Applied one row at a time: no node reloaded the whole table.
        assert "reloading" not in a.stderr_text() + b.stderr_text()
    finally:
        b.stop()


def test_delete_wait_names_the_node_that_has_not_applied(make_server):
    a, b, ids = two_nodes(make_server)
    try:
        a.add_account("acme")
        a.add_secret("acme")
        gone = a.add_secret("acme")
        # Stop b right after a heartbeat, so that it still counts as live (3 s) while the
        # deletion waits (1 s): it stops applying, but its heartbeat is recent.
        wait_until(lambda: ages(a)[ids[1]] < 300)
        os.kill(b.proc.pid, signal.SIGSTOP)
        try:
            cp = a.cli("secret", "delete", gone[0], "--wait=1")
            assert cp.returncode == 1, (cp.returncode, cp.stdout, cp.stderr)
            assert ids[1] in cp.stderr and ids[0] not in cp.stderr, cp.stderr
            assert "1 of 2 live nodes have not applied the deletion" in cp.stderr, cp.stderr
        finally:
            os.kill(b.proc.pid, signal.SIGCONT)
        # Once it runs again it catches up by itself.
        wait_until(lambda: status(a)[ids[1]][1] == 0)
        assert b.request("GET", "/dev/v1/projects", cred=gone).status == 401
    finally:
        b.stop()


def test_a_stopped_node_is_not_waited_for(make_server):
    a, b, ids = two_nodes(make_server)
    a.add_account("acme")
    a.add_secret("acme")
    gone = a.add_secret("acme")
    b.stop()
    wait_until(lambda: status(a)[ids[1]][2] == "gone", timeout=6.0)
    cp = a.cli("secret", "delete", gone[0], "--wait=5")
    assert cp.returncode == 0, cp.stderr
    assert cp.stdout.strip() == "applied by 1 of 1 live nodes", cp.stdout
