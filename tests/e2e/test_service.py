# SPDX-License-Identifier: MIT
"""restauthd as a service: the configuration file and check-config, SIGHUP's reload,
SIGUSR1's reopening of the access log, systemd's notifications, --user and the diagnostics'
formats."""

import json
import os
import pwd
import grp
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from e2e_lib import binary


def run(*args, timeout=30):
    cp = subprocess.run([binary(), *[str(a) for a in args]], stdin=subprocess.DEVNULL,
                        capture_output=True, text=True, timeout=timeout)
    return cp


def wait_for(pred, timeout=10.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}")


def settings(stdout):
    """check-config's lines as {name: [(value, source)]}."""
    out = {}
    for line in stdout.splitlines():
        head, _, source = line.rpartition(" # ")
        head = head.strip()
        if head.startswith("# "):
            name, value = head[2:].split(" ", 1)[0], None
        else:
            name, _, value = head.partition(" = ")
        out.setdefault(name, []).append((value, source.strip()))
    return out


# -- check-config ------------------------------------------------------------------------

def test_check_config_sources_and_redaction(tmp_path):
    conf = tmp_path / "r.conf"
    conf.write_text("# settings\n"
                    "store = postgresql://ra:hunter2@db.example:5432/ra?password=hunter3\n"
                    "key-file = /etc/ra.key\n"
                    "\n"
                    "rate-limit = 5\n"
                    "forward-limit = GET /a a 3\n"
                    "insecure-http = true\n")
    cp = run("check-config", "--config", conf, "--rate-limit", "8", "--threads", "3")
    assert cp.returncode == 0, cp.stderr
    assert "hunter" not in cp.stdout
    got = settings(cp.stdout)
    assert got["store"] == [("postgresql://ra:REDACTED@db.example:5432/ra?password=REDACTED",
                              f"{conf}:2")]
    assert got["key-file"] == [("/etc/ra.key", f"{conf}:3")]
    assert got["rate-limit"] == [("8", "command line")]
    assert got["threads"] == [("3", "command line")]
    assert got["forward-limit"] == [("GET /a a 3", f"{conf}:6")]
    assert got["insecure-http"] == [("true", f"{conf}:7")]
    assert got["max-body"] == [("65536", "default")]
    assert got["tls-cert"] == [(None, "default")]
    # every server option is shown, and nothing else
    help_text = run("serve", "--help").stdout
    shown = {f"--{name}" for name in got}
    listed = {line.split()[0].split("[")[0] for line in help_text.splitlines()
              if line.startswith("  --")}
    assert shown == listed - {"--help", "--config"}


@pytest.mark.parametrize("text,line,why", [
    ("rate-limit = 3\nlisten = 127.0.0.1:1\nbogus = 1\n", 3, 'unknown option "bogus"'),
    ("\nthreads = many\n", 2, "threads: expected a whole number"),
    ("force = yes\n", 1, "does not take force"),
    ("insecure-http = perhaps\n", 1, "insecure-http: expected true or false"),
])
def test_config_errors_name_file_and_line(tmp_path, text, line, why):
    conf = tmp_path / "bad.conf"
    conf.write_text(text)
    for cmd in (["check-config"], ["serve"]):
        cp = run(*cmd, "--config", conf, "--store", f"sqlite:{tmp_path}/x.db")
        assert cp.returncode == 2, (cmd, cp.stderr)
        assert f"{conf}:{line}: " in cp.stderr and why in cp.stderr, cp.stderr
        assert "error" in cp.stderr


def test_check_config_deeper_checks(tmp_path):
    cp = run("check-config", "--listen", "nowhere", "--tls-cert", "c.pem",
             "--forward-limit", "GET nope x 1", "--user", "no-such-user-ra")
    assert cp.returncode == 2
    for what in ("listen nowhere", "tls-cert and tls-key", "forward-limit", "no-such-user-ra"):
        assert what in cp.stderr, cp.stderr
    assert run("check-config").returncode == 0


def test_shared_file_for_admin_commands(tmp_path):
    """init reads the store from serve's file and skips serve's other options."""
    conf = tmp_path / "r.conf"
    conf.write_text(f"store = sqlite:{tmp_path}/shared.db\nlisten = 127.0.0.1:1\n"
                    "rate-limit = 2\n")
    cp = run("init", "--config", conf)
    assert cp.returncode == 0, cp.stderr
    assert (tmp_path / "shared.db").exists() and (tmp_path / "shared.db.key").exists()
    cp = run("account", "add", "acme", "--config", conf)
    assert cp.returncode == 0, cp.stderr


# -- signals and systemd ----------------------------------------------------------------

class Notifications:
    """A datagram socket standing in for systemd's NOTIFY_SOCKET."""

    def __init__(self, directory):
        self.path = str(directory / "notify.sock")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.sock.settimeout(10)
        self.got = []

    def next_with(self, key):
        """The next message holding `key=`, as a dict."""
        while True:
            msg = dict(line.split("=", 1) for line in
                       self.sock.recv(4096).decode().splitlines() if "=" in line)
            self.got.append(msg)
            if key in msg:
                return msg

    def close(self):
        self.sock.close()


def test_reload_notify_and_stop(make_server, tmp_path, monkeypatch):
    s = make_server()
    cred = s.account_with_secret("acme")
    conf = s.dir / "live.conf"
    conf.write_text("rate-limit = 0\nauth-fail-limit = 0\n")
    note = Notifications(tmp_path)
    monkeypatch.setenv("NOTIFY_SOCKET", note.path)
    s.start("--config", conf)
    try:
        ready = note.next_with("READY")
        assert ready["READY"] == "1" and ready["STATUS"] == "serving; 1 credential pairs"
        statuses = [s.request("GET", "/dev/v1/projects", cred=cred).status for _ in range(4)]
        assert 429 not in statuses, statuses

        # A new limit from the file, applied live.
        conf.write_text("rate-limit = 1\nauth-fail-limit = 0\nthreads = 2\n")
        s.proc.send_signal(signal.SIGHUP)
        reloading = note.next_with("RELOADING")
        assert reloading["RELOADING"] == "1" and int(reloading["MONOTONIC_USEC"]) > 0
        assert note.next_with("READY")["READY"] == "1"
        statuses = [s.request("GET", "/dev/v1/projects", cred=cred).status for _ in range(4)]
        assert 429 in statuses, statuses
        assert "threads changed" in s.stderr_text()  # not live: named, not applied

        # A file with a mistake changes nothing.
        conf.write_text("rate-limit = 0\nrate-limit-typo = 1\n")
        s.proc.send_signal(signal.SIGHUP)
        note.next_with("RELOADING")
        note.next_with("READY")
        wait_for(lambda: "settings stay as they were" in s.stderr_text(), what="reload error")
        assert f"{conf}:2: unknown option" in s.stderr_text()
        time.sleep(1.1)  # a fresh one-second window
        statuses = [s.request("GET", "/dev/v1/projects", cred=cred).status for _ in range(4)]
        assert 429 in statuses, statuses
    finally:
        rc = s.stop()
    assert rc == 0
    assert note.next_with("STOPPING")["STOPPING"] == "1"
    note.close()


def test_sigusr1_reopens_access_log(make_server):
    s = make_server()
    cred = s.account_with_secret("acme")
    s.start("--rate-limit", "0")
    try:
        assert s.request("GET", "/dev/v1/projects", cred=cred).status == 201
        wait_for(lambda: s.access_log.exists() and s.access_log.read_text().count("\n") == 1,
                 what="the first access log line")
        rotated = s.dir / "access.log.1"
        s.access_log.rename(rotated)
        s.proc.send_signal(signal.SIGUSR1)
        wait_for(lambda: "access log reopened" in s.stderr_text(), what="the reopen")
        assert s.access_log.exists()
        assert s.request("GET", "/dev/v1/projects?x=1", cred=cred).status == 201
        wait_for(lambda: s.access_log.read_text().count("\n") == 1, what="a line in the new log")
        new = json.loads(s.access_log.read_text())
        assert new["customer_id"] == cred[0] and new["status"] == 201
        old = rotated.read_text().splitlines()
        assert len(old) == 1 and json.loads(old[0])["status"] == 201
    finally:
        s.stop()


def test_log_formats(make_server):
    s = make_server()
    s.start("--log-format", "json", "--log-level", "debug")
    s.stop()
    lines = [l for l in s.stderr_text().splitlines() if l.startswith("{")]
    assert lines, s.stderr_text()
    for line in lines:
        entry = json.loads(line)
        assert entry["level"] in ("error", "warning", "info", "debug")
        assert set(entry) == {"time", "level", "msg"}
    assert any(json.loads(l)["msg"] == "stopped" for l in lines)

    t = make_server()
    t.start("--log-level", "warning")
    t.stop()
    text = t.stderr_text()
    assert "restauthd: info:" not in text  # below the level
    assert run("serve", "--log-level", "loud").returncode == 2


# -- --user -------------------------------------------------------------------------------

def proc_ids(pid):
    ids = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("Uid", "Gid", "Groups"):
            ids[key] = value.split()
    return ids


@pytest.mark.skipif(os.geteuid() != 0, reason="switching users needs root")
def test_user_drops_privileges(tls_files):
    from e2e_lib import Server
    user = pwd.getpwnam("nobody")
    group = grp.getgrgid(user.pw_gid)
    # Not below pytest's own folders, which are private to root.
    top = Path(tempfile.mkdtemp(prefix="ra-user-"))
    try:
        s = Server(top / "srv", *tls_files)
        s.init()
        cred = s.account_with_secret("acme")
        # As documented: the store's folder and files belong to the user.
        for p in [top, s.dir, *s.dir.iterdir()]:
            os.chown(p, user.pw_uid, group.gr_gid)
        s.start("--user", "nobody")
        try:
            # The port accepts as soon as it is bound; the switch follows.
            wait_for(lambda: "running as user nobody" in s.stderr_text(), what="the switch")
            ids = proc_ids(s.proc.pid)
            assert ids["Uid"] == [str(user.pw_uid)] * 4, ids
            assert ids["Gid"] == [str(group.gr_gid)] * 4, ids
            assert set(ids["Groups"]) <= {str(group.gr_gid)}, ids
            assert "serving as root" not in s.stderr_text()
            # Reads and writes still work.
            assert s.request("GET", "/dev/v1/projects", cred=cred).status == 201
            s.create(cred, "after-drop")
            wal = s.dir / "ra.db-wal"
            assert wal.exists() and wal.stat().st_uid == user.pw_uid
        finally:
            assert s.stop() == 0
    finally:
        shutil.rmtree(top)


@pytest.mark.skipif(os.geteuid() != 0, reason="the warning is about root")
def test_root_without_user_warns(make_server, tmp_path):
    s = make_server()
    s.start()
    s.stop()
    assert "warning: serving as root" in s.stderr_text()
    # A store the user cannot write is refused at start.
    u = make_server("locked")
    cp = subprocess.run(u.serve_argv("--user", "nobody", port=0), capture_output=True,
                        text=True, timeout=30)
    assert cp.returncode == 1
    assert "must be writable by this user" in cp.stderr, cp.stderr
