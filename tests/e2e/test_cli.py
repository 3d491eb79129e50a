# SPDX-License-Identifier: MIT
"""The restauthd command line: init, accounts, pairs, the once-only file, exit codes."""

import calendar
import os
import re
import stat
import subprocess
import time

import pytest

from e2e_lib import HEX32, ISO_UTC, binary, free_port, project_list, read_secret_file


def secret_rows(s, account):
    cp = s.cli("secret", "list", "--account", account)
    assert cp.returncode == 0, cp.stderr
    lines = cp.stdout.rstrip("\n").split("\n")
    assert lines[0] == "customer_id\tcreated\tlast_used\tstatus\texpires\tlast_30d", lines
    rows = [line.split("\t") for line in lines[1:] if line]
    for row in rows:
        assert len(row) == 6, row
        assert HEX32.match(row[0]) and ISO_UTC.match(row[1]), row
        assert row[2] == "never" or ISO_UTC.match(row[2]), row
        assert row[3] == "active", row
        assert row[4] == "never" and row[5].isdigit(), row
    return rows


def test_init_creates_key_and_is_idempotent(make_server):
    s = make_server()
    key = s.dir / "ra.db.key"
    assert s.db.exists()
    assert key.exists(), "init did not create the default key file (store path + .key)"
    assert key.stat().st_size == 32
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    before = key.read_bytes()
    s.add_account("keep")
    cp = s.cli("init")
    assert cp.returncode == 0, cp.stderr
    assert key.read_bytes() == before, "init replaced an existing key"
    cp = s.cli("account", "list")
    assert "\tkeep\t" in cp.stdout


def test_explicit_key_file(make_server, tmp_path):
    s = make_server()
    other = s.dir / "other.db"
    keyf = tmp_path / "custom.key"
    cp = s.cli("init", "--store", f"sqlite:{other}", "--key-file", str(keyf), store=False)
    assert cp.returncode == 0, cp.stderr
    assert keyf.exists() and keyf.stat().st_size == 32
    assert stat.S_IMODE(keyf.stat().st_mode) == 0o600


def test_account_add_and_list(make_server):
    s = make_server()
    names = ["alice", "Bob.Smith", "ops@example.com", "a-b_c", "x" * 64]
    t0 = time.time()
    for n in names:
        s.add_account(n)
    cp = s.cli("account", "list")
    assert cp.returncode == 0, cp.stderr
    lines = cp.stdout.rstrip("\n").split("\n")
    assert lines[0] == "id\tname\tcreated"
    rows = [line.split("\t") for line in lines[1:]]
    assert [r[1] for r in rows] == names
    for r in rows:
        assert len(r) == 3 and r[0].strip() != "" and ISO_UTC.match(r[2]), r
        created = calendar.timegm(time.strptime(r[2], "%Y-%m-%dT%H:%M:%SZ"))
        assert abs(created - t0) < 120, r
    assert len({r[0] for r in rows}) == len(names)


def test_account_add_rejects_bad_and_duplicate_names(make_server):
    s = make_server()
    s.add_account("taken")
    cp = s.cli("account", "add", "taken")
    assert cp.returncode == 1, (cp.returncode, cp.stderr)
    for bad in ["", "has space", "x" * 65, "semi;colon", "sl/ash", "uni\u00e9"]:
        cp = s.cli("account", "add", bad)
        assert cp.returncode in (1, 2), (bad, cp.returncode)
    cp = s.cli("account", "list")
    assert len(cp.stdout.rstrip("\n").split("\n")) == 2, cp.stdout


def test_usage_errors_exit_2(make_server):
    s = make_server()
    wrong = []
    for argv in (["no-such-command"], ["account", "frobnicate"], ["account", "add"],
                 ["account", "add", "a", "b"], ["account", "list", "x"], ["init", "x"],
                 ["secret", "add"], ["secret", "list"], ["secret", "delete"],
                 ["secret", "delete", "a", "b"], ["account", "passwd", "a"],
                 ["serve", "--no-such-option"], ["serve", "--get-status", "204"],
                 ["serve", "--threads"], ["serve", "--threads", "x"]):
        cp = s.cli(*argv)
        if cp.returncode != 2 or not cp.stderr.strip():
            wrong.append((argv, cp.returncode, cp.stderr.strip()))
    assert not wrong, f"usage errors not answered with exit 2 and a diagnostic: {wrong}"


def run_bin(*args):
    """Run restauthd ARGS... (no --store added); returns CompletedProcess (text)."""
    return subprocess.run([binary(), *args], stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=60)


def test_option_of_another_command_is_refused(tmp_path):
    store = f"sqlite:{tmp_path / 'fresh.db'}"
    cp = run_bin("init", "--force", "--store", store)
    assert cp.returncode == 2, (cp.returncode, cp.stderr)
    assert "init does not take --force" in cp.stderr, cp.stderr
    cp = run_bin("init", "--force", "--tls-cert", "nothing", "--rate-limit", "5", "--store", store)
    assert cp.returncode == 2, (cp.returncode, cp.stderr)
    for opt in ("--force", "--tls-cert", "--rate-limit"):
        assert f"init does not take {opt}" in cp.stderr, cp.stderr
    # Refused before doing anything: no store, no key.
    assert list(tmp_path.iterdir()) == []
    for words, rest, opt in (("serve", ["--out", "f"], "--out"),
                             ("serve", ["--account", "a"], "--account"),
                             ("account list", ["--email", "a@b.example"], "--email"),
                             ("secret list", ["--account", "a", "--out", "f"], "--out"),
                             ("secret delete", ["f" * 32, "--account", "a"], "--account"),
                             ("secret add", ["--account", "a", "--force"], "--force"),
                             ("account add", ["n", "--demo-credentials", "f"],
                              "--demo-credentials")):
        cp = run_bin(*words.split(), *rest, "--store", store)
        assert cp.returncode == 2, (words, rest, cp.returncode, cp.stderr)
        assert f"{words} does not take {opt}" in cp.stderr, (words, rest, cp.stderr)
    assert list(tmp_path.iterdir()) == []


def help_options(*words):
    """`restauthd WORDS --help`: (the option names it lists, its text); asserts exit 0."""
    cp = run_bin(*words, "--help")
    assert cp.returncode == 0, (words, cp.returncode, cp.stderr)
    return set(re.findall(r"^  (--[a-z-]+)", cp.stdout, re.M)), cp.stdout


def test_command_help(tmp_path):
    opts, text = help_options("secret", "add")
    assert text.startswith("usage: restauthd secret add --account NAME [options]\n"), text
    assert {"--account", "--out", "--max-secrets", "--store", "--key-file"} <= opts, text
    assert "--listen" not in opts and "--force" not in opts, text
    opts, text = help_options("serve")
    assert {"--listen", "--tls-cert", "--get-status", "--session-idle-s"} <= opts, text
    assert "--force" not in opts and "--account" not in opts and "--out" not in opts, text
    assert re.search(r"^  --listen ADDR:PORT +.*\[127\.0\.0\.1:8443\]$", text, re.M), text
    assert re.search(r"^  --rate-limit N +.*\[10\]$", text, re.M), text
    opts, text = help_options("secret", "delete")
    assert text.startswith("usage: restauthd secret delete ID [options]\n"), text
    assert opts == {"--store", "--key-file", "--help", "--config", "--log-format", "--log-level",
                    "--force", "--wait"}, text
    # --help only prints: it neither checks the command line further nor runs anything.
    store = f"sqlite:{tmp_path / 'x.db'}"
    help_options("init", "--store", store)
    help_options("account", "passwd", "--store", store)
    assert list(tmp_path.iterdir()) == []


def test_general_help():
    cp = run_bin("--help")
    assert cp.returncode == 0, cp.stderr
    commands = re.findall(r"^  ([a-z][a-z-]*(?: [a-z]+)?)(?: [A-Z]+)? {2,}\S", cp.stdout, re.M)
    assert commands == ["init", "serve", "account add", "account passwd", "account list",
                        "secret add", "secret list", "secret delete", "secret disable",
                        "secret enable", "secret expire", "secret roll", "audit list",
                        "cluster status", "check-config"], cp.stdout
    opts = set(re.findall(r"^  (--[a-z-]+)", cp.stdout, re.M))
    assert opts == {"--store", "--key-file", "--help", "--config", "--log-format",
                    "--log-level"}, cp.stdout
    assert run_bin("help").stdout == cp.stdout
    cp = run_bin()
    assert cp.returncode == 2 and "usage: restauthd COMMAND" in cp.stderr, cp
    cp = run_bin("secret", "--help")
    assert cp.returncode == 0, cp.stderr
    assert re.findall(r"^  (secret [a-z]+)", cp.stdout, re.M) == [
        "secret add", "secret list", "secret delete", "secret disable", "secret enable",
        "secret expire", "secret roll"], cp.stdout
    assert "account add" not in cp.stdout


def test_secret_add_stdout(make_server):
    s = make_server()
    s.add_account("acct")
    cp = s.cli("secret", "add", "--account", "acct")
    assert cp.returncode == 0, cp.stderr
    lines = cp.stdout.rstrip("\n").split("\n")
    assert len(lines) == 2, lines
    m1 = re.fullmatch(r"customer_id: ([0-9a-f]{32})", lines[0])
    m2 = re.fullmatch(r"customer_secret: ([0-9a-f]{32})", lines[1])
    assert m1 and m2, lines
    s.secrets.append((m1.group(1), m2.group(1)))
    assert m1.group(1) != m2.group(1)
    rows = secret_rows(s, "acct")
    assert [r[0] for r in rows] == [m1.group(1)] and rows[0][2] == "never"
    assert m2.group(1) not in cp.stderr


def test_secret_add_unknown_account(make_server):
    s = make_server()
    cp = s.cli("secret", "add", "--account", "ghost")
    assert cp.returncode == 1, cp.returncode


def test_secret_file(make_server):
    s = make_server()
    s.add_account("acct")
    out = s.dir / "key_and_secret.txt"
    cp = s.cli("secret", "add", "--account", "acct", "--out", str(out))
    assert cp.returncode == 0, cp.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    data = out.read_bytes()
    cid, secret = read_secret_file(out)
    s.secrets.append((cid, secret))
    assert data.startswith(b"Please keep this file safe. The Customer Secret can be downloaded "
                           b"only once.\r\nkey\xef\xbc\x9a" + cid.encode() +
                           b"\r\nsecret\xef\xbc\x9a" + secret.encode())
    assert b"\n" not in data.replace(b"\r\n", b""), "bare LF in the secret file"
    assert cp.stdout == cid + "\n" or cp.stdout == cid, repr(cp.stdout)
    assert secret not in cp.stdout and secret not in cp.stderr
    assert [r[0] for r in secret_rows(s, "acct")] == [cid]


def test_secret_file_refuses_existing_file(make_server):
    s = make_server()
    s.add_account("acct")
    first = s.add_secret("acct")
    out = s.dir / "exists.txt"
    out.write_bytes(b"precious")
    cp = s.cli("secret", "add", "--account", "acct", "--out", str(out))
    assert cp.returncode == 1, (cp.returncode, cp.stdout, cp.stderr)
    assert out.read_bytes() == b"precious"
    assert [r[0] for r in secret_rows(s, "acct")] == [first[0]], "a pair was created anyway"
    # a symlink to a new path is refused too (O_EXCL)
    link = s.dir / "link.txt"
    os.symlink(s.dir / "target-not-there.txt", link)
    cp = s.cli("secret", "add", "--account", "acct", "--out", str(link))
    assert cp.returncode == 1
    assert not (s.dir / "target-not-there.txt").exists()
    assert len(secret_rows(s, "acct")) == 1


def test_secret_list_never_shows_secret(make_server):
    s = make_server()
    s.add_account("acct")
    creds = [s.add_secret("acct") for _ in range(3)]
    cp = s.cli("secret", "list", "--account", "acct")
    assert cp.returncode == 0
    rows = secret_rows(s, "acct")
    assert sorted(r[0] for r in rows) == sorted(c[0] for c in creds)
    for _, secret in creds:
        assert secret not in cp.stdout and secret not in cp.stderr


def test_secret_quota_default_10(make_server):
    s = make_server()
    s.add_account("acct")
    for _ in range(10):
        s.add_secret("acct")
    cp = s.cli("secret", "add", "--account", "acct")
    assert cp.returncode == 1, (cp.returncode, cp.stdout)
    assert "customer_secret" not in cp.stdout
    assert len(secret_rows(s, "acct")) == 10
    # the limit is per account
    s.add_account("other")
    s.add_secret("other")


def test_secret_quota_flag(make_server):
    s = make_server()
    s.add_account("acct")
    cp = s.cli("secret", "add", "--account", "acct", "--max-secrets", "2")
    assert cp.returncode == 0
    cp = s.cli("secret", "add", "--account", "acct", "--max-secrets", "2")
    assert cp.returncode == 0
    cp = s.cli("secret", "add", "--account", "acct", "--max-secrets", "2")
    assert cp.returncode == 1
    assert len(secret_rows(s, "acct")) == 2


def test_secret_delete_and_last_pair(make_server):
    s = make_server()
    s.add_account("acct")
    a = s.add_secret("acct")
    b = s.add_secret("acct")
    cp = s.cli("secret", "delete", a[0])
    assert cp.returncode == 0, cp.stderr
    assert [r[0] for r in secret_rows(s, "acct")] == [b[0]]
    cp = s.cli("secret", "delete", b[0])
    assert cp.returncode == 1, "deleting the last pair without --force succeeded"
    assert [r[0] for r in secret_rows(s, "acct")] == [b[0]]
    cp = s.cli("secret", "delete", b[0], "--force")
    assert cp.returncode == 0, cp.stderr
    assert secret_rows(s, "acct") == []
    cp = s.cli("secret", "delete", "f" * 32)
    assert cp.returncode == 1


def test_cli_diagnostics_never_contain_secrets(make_server):
    s = make_server()
    s.add_account("acct")
    creds = [s.add_secret("acct") for _ in range(2)]
    s.cli("secret", "list", "--account", "acct")
    s.cli("secret", "add", "--account", "acct", "--out", str(s.dir))  # a directory: fails
    s.cli("secret", "delete", creds[0][0])
    s.cli("secret", "delete", creds[1][0])
    s.cli("account", "add", "acct")
    s.cli("init")
    text = "\n".join(s.cli_stderr)
    for cid, secret in creds:
        assert secret not in text


def test_plain_http_refused_on_non_loopback(make_server):
    s = make_server()
    s.add_account("acct")
    port = free_port()
    argv = [s.bin, "serve", "--store", s.store, "--listen", f"0.0.0.0:{port}",
            "--access-log", "off"]
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        out, err = proc.communicate(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail("serve on 0.0.0.0 without TLS or --insecure-http kept running")
    text = err.decode("utf-8", "replace")
    # Refused as a start-up failure (1), not a usage error (2), for the reason the rule gives,
    # and before anything listened.
    assert proc.returncode == 1, (proc.returncode, text)
    assert "refusing plain HTTP on 0.0.0.0:" in text and "--insecure-http" in text, text
    assert "listening on" not in text, text


def test_plain_http_allowed_on_loopback(make_server):
    s = make_server()
    cred = s.account_with_secret("plain")
    s.start("--rate-limit", "0", tls=False)
    r = s.request("GET", "/dev/v1/projects", cred=cred)
    assert project_list(r) == []
    assert "listening on http://127.0.0.1:" in s.stderr_text()


def test_listen_port_zero_prints_real_port(make_server):
    s = make_server()
    cred = s.account_with_secret("zero")
    argv = s.serve_argv("--rate-limit", "0", port=0)
    with open(s.stderr_path, "wb") as err:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=err)
    s.proc = proc
    deadline = time.monotonic() + 10
    m = None
    while time.monotonic() < deadline and proc.poll() is None:
        m = re.search(r"restauthd: listening on https://127\.0\.0\.1:(\d+)", s.stderr_text())
        if m:
            break
        time.sleep(0.05)
    assert m, f"no listening line: {s.stderr_text()!r}"
    port = int(m.group(1))
    assert port != 0
    s.port = port
    assert project_list(s.request("GET", "/dev/v1/projects", cred=cred)) == []


def test_last_used_updated(make_server):
    s = make_server()
    s.add_account("acct")
    used = s.add_secret("acct")
    unused = s.add_secret("acct")
    s.start("--rate-limit", "0")
    t0 = time.time()
    project_list(s.request("GET", "/dev/v1/projects", cred=used))
    # last-used times are written in batches; a clean stop writes what is pending
    assert s.stop() == 0
    rows = {r[0]: r for r in secret_rows(s, "acct")}
    assert ISO_UTC.match(rows[used[0]][2]), rows
    when = calendar.timegm(time.strptime(rows[used[0]][2], "%Y-%m-%dT%H:%M:%SZ"))
    assert abs(when - t0) < 60, rows
    assert rows[unused[0]][2] == "never", rows
