# SPDX-License-Identifier: MIT
"""The restauth CLI end to end: every command against a real restauthd over TLS, exit codes
(with the fake server for 429, 5xx and network failures), output formats, and the three ways
to give credentials. No run may print the Customer Secret."""

import fcntl
import json
import os
import re
import select
import subprocess
import termios
import time
import uuid

import pytest

from client_helpers import basic, clean_env, need_path, run

HEX32 = re.compile(r"\A[0-9a-f]{32}\Z")
LIST_KEYS = ["id", "name", "sign_key", "vendor_key", "recording_server", "status", "created"]
SINGLE_KEYS = ["id", "name", "vendor_key", "sign_key", "recording_server", "status", "created"]
SECRETS = []  # every secret a test uses; no output may contain one


@pytest.fixture(scope="module")
def acct(server):
    path, cred = server.account("cli")
    SECRETS.append(cred[1])
    return path, cred


def restauth(args, env, input_text=None):
    cp = run([need_path("RESTAUTH_CLI"), *args], env, input_text=input_text)
    for s in SECRETS:
        assert s not in cp.stdout and s not in cp.stderr, "the secret was printed"
    return cp


def env_for(server, pki, **extra):
    return clean_env(RESTAUTH_BASE_URL=server.url, RESTAUTH_CA_FILE=pki.ca, **extra)


def ok(cp):
    assert cp.returncode == 0, f"exit {cp.returncode}: {cp.stderr}"
    assert cp.stderr == ""
    return cp.stdout


def as_json(cp):
    return json.loads(ok(cp), object_pairs_hook=list)


def single(cp):
    top = as_json(cp)
    assert [k for k, _ in top] == ["project"]
    p = top[0][1]
    assert [k for k, _ in p] == SINGLE_KEYS
    return dict(p)


def listing(cp):
    top = as_json(cp)
    assert [k for k, _ in top] == ["projects"]
    for p in top[0][1]:
        assert [k for k, _ in p] == LIST_KEYS
    return [dict(p) for p in top[0][1]]


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def test_help_and_version():
    cp = restauth(["--help"], clean_env())
    assert cp.returncode == 0 and cp.stdout.startswith("usage: restauth")
    for word in ("projects", "project create", "signkey", "recording-server", "call",
                 "--credentials", "--base-url", "--cacert", "--retries", "--table"):
        assert word in cp.stdout
    cp = restauth(["--version"], clean_env())
    assert cp.returncode == 0 and re.fullmatch(r"restauth \d+\.\d+\.\d+ \(librestauth .*\)\n",
                                               cp.stdout)


@pytest.mark.parametrize("args", [
    [], ["frobnicate"], ["project"], ["project", "create"], ["project", "create", "a", "b"],
    ["project", "get"], ["project", "get", "--id", "x", "--sign-key"], ["projects", "--id", "x"],
    ["projects", "extra"], ["--retries", "x", "projects"], ["--retries", "21", "projects"],
    ["--bogus", "projects"], ["projects", "--credentials"], ["call", "GET"],
    ["call", "G3T", "/dev/v1/projects"], ["call", "GET", "dev/v1/projects"],
    ["--secret", "s", "projects"], ["signkey", "rotate", "x"], ["recording-server", "set", "x"],
    ["project", "enable"], ["project", "delete", "a", "b"],
])
def test_usage_errors(args, fake, pki, acct):
    """Exit 2 with a diagnostic, and nothing sent (the base URL counts every request)."""
    token = uuid.uuid4().hex[:8]
    env = clean_env(RESTAUTH_CA_FILE=pki.ca, RESTAUTH_BASE_URL=fake.url(token, "usage", "201"))
    cp = restauth(["--credentials", acct[0], *args], env)
    assert cp.returncode == 2, cp
    assert cp.stdout == "" and cp.stderr.startswith("restauth: ")
    assert fake.get(token, "usage") == [], "a usage error sent a request"
    # The same base URL does count a request that is sent.
    restauth(["--credentials", acct[0], "projects"], env)
    assert len(fake.get(token, "usage")) == 1


def test_project_commands(server, pki, acct):
    env = env_for(server, pki)
    c = ["--credentials", acct[0]]
    name = unique("cli")
    p = single(restauth(c + ["project", "create", name], env))
    assert p["name"] == name and p["sign_key"] == "" and p["status"] == 1
    assert HEX32.match(p["vendor_key"]) and p["recording_server"] is None
    q = single(restauth(c + ["project", "create", name + "-c", "--sign-key"], env))
    assert HEX32.match(q["sign_key"])
    dup = restauth(c + ["project", "create", name], env)
    assert dup.returncode == 4 and dup.stdout == ""
    assert "project name already exists" in dup.stderr
    names = [x["name"] for x in listing(restauth(c + ["projects"], env))]
    assert name in names and name + "-c" in names
    assert [x["id"] for x in listing(restauth(c + ["project", "get", "--id", p["id"]], env))] \
        == [p["id"]]
    assert [x["id"] for x in listing(restauth(c + ["project", "get", "--name", name], env))] \
        == [p["id"]]
    both = restauth(c + ["project", "get", "--id", p["id"], "--name", name], env)
    assert len(listing(both)) == 1
    missing = restauth(c + ["project", "get", "--name", name + "-none"], env)
    assert missing.returncode == 4 and "project not exist" in missing.stderr
    assert single(restauth(c + ["project", "disable", p["id"]], env))["status"] == 0
    assert single(restauth(c + ["project", "enable", p["id"]], env))["status"] == 1
    on = single(restauth(c + ["signkey", "enable", p["id"]], env))["sign_key"]
    assert HEX32.match(on)
    reset = single(restauth(c + ["signkey", "reset", p["id"]], env))["sign_key"]
    assert HEX32.match(reset) and reset != on
    assert single(restauth(c + ["signkey", "disable", p["id"]], env))["sign_key"] == ""
    rec = single(restauth(c + ["recording-server", "set", p["id"], "10.12.1.5:8080"], env))
    assert rec["recording_server"] == "10.12.1.5:8080"
    gone = as_json(restauth(c + ["project", "delete", p["id"]], env))
    assert gone == [("success", True)]
    again = restauth(c + ["project", "delete", p["id"]], env)
    assert again.returncode == 4 and "project not exist" in again.stderr
    t = ok(restauth(c + ["--table", "project", "delete", q["id"]], env))
    assert t == f"deleted project {q['id']}\n"


def test_tables(server, pki, acct):
    env = env_for(server, pki)
    c = ["--credentials", acct[0], "--table"]
    name = unique("tbl") + " \u00e9t\u00e9"
    out = ok(restauth(c + ["project", "create", name, "--sign-key"], env))
    fields = dict(re.split(r"\s{2,}", line, maxsplit=1) for line in out.splitlines())
    assert fields["name"] == name
    assert HEX32.match(fields["app id"]) and HEX32.match(fields["app certificate"])
    assert fields["status"] == "enabled" and fields["recording server"] == "-"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", fields["created"])
    out = ok(restauth(c + ["projects"], env))
    lines = out.splitlines()
    assert re.match(r"ID\s+NAME\s+STATUS\s+APP ID\s+CERTIFICATE\s+RECORDING SERVER\s+CREATED$",
                    lines[0])
    assert len([x for x in lines if name in x]) == 1
    # Columns line up (in characters, so the accented name counts right).
    for head in ("NAME", "STATUS", "CREATED"):
        col = lines[0].index(head)
        assert all(x[col - 2:col] == "  " and x[col] != " " for x in lines[1:]), head


def test_tables_neutralise_control_characters(fake, pki):
    """Text from the server cannot drive the terminal (C0, DEL and C1 controls become '?')."""
    env = clean_env(RESTAUTH_CA_FILE=pki.ca, RESTAUTH_CUSTOMER_ID="fake-id",
                    RESTAUTH_CUSTOMER_SECRET="fake-secret",
                    RESTAUTH_BASE_URL=fake.url(uuid.uuid4().hex[:8], "evil", "evil"))
    for args in (["--table", "projects"], ["--table", "project", "enable", "x"]):
        out = ok(restauth(args, env))
        assert "evil?[31mred??end" in out
        assert not any(ch in out for ch in "\x1b\x7f\x85")
    # JSON keeps the text exactly (escaped by the JSON encoder).
    assert listing(restauth(["projects"], env))[0]["name"] == "evil\x1b[31mred\x7f\x85end"


def test_empty_account(server, pki):
    path, cred = server.account("cli-empty")
    SECRETS.append(cred[1])
    env = env_for(server, pki)
    assert listing(restauth(["--credentials", path, "projects"], env)) == []
    assert ok(restauth(["--credentials", path, "--table", "projects"], env)) == "no projects\n"


def test_call(server, pki, acct):
    env = env_for(server, pki)
    c = ["--credentials", acct[0]]
    out = ok(restauth(c + ["call", "GET", "/dev/v1/projects"], env))
    assert out.endswith("}\n") and "projects" in json.loads(out)
    name = unique("raw")
    body = json.dumps({"name": name, "enable_sign_key": True})
    made = json.loads(ok(restauth(c + ["call", "post", "/dev/v1/project", body], env)))
    assert made["project"]["name"] == name
    body = json.dumps({"id": made["project"]["id"]})
    out = ok(restauth(c + ["call", "DELETE", "/dev/v1/project", "-"], env, input_text=body))
    assert json.loads(out) == {"success": True}
    cp = restauth(c + ["call", "GET", "/dev/v2/projects"], env)
    assert cp.returncode == 4
    assert cp.stdout == '{"message":"no Route matched with those values"}\n'
    assert "HTTP 404" in cp.stderr
    cp = restauth(c + ["call", "POST", "/dev/v1/project", "{bad json"], env)
    assert cp.returncode == 4 and '"status":"error"' in cp.stdout


def test_credentials_from_environment(server, pki, acct):
    _, cred = acct
    env = env_for(server, pki, RESTAUTH_CUSTOMER_ID=cred[0], RESTAUTH_CUSTOMER_SECRET=cred[1])
    listing(restauth(["projects"], env))
    # --credentials wins over the environment.
    bad = server.dir / "bad_key_and_secret.txt"
    bad.write_text(f"key:{cred[0]}\nsecret:not-the-secret\n")
    SECRETS.append("not-the-secret")
    cp = restauth(["--credentials", bad, "projects"], env)
    assert cp.returncode == 3 and cp.stdout == ""
    assert "authentication failed" in cp.stderr and "HTTP 401" in cp.stderr
    cp = restauth(["--credentials", server.dir / "absent.txt", "projects"], env_for(server, pki))
    assert cp.returncode == 1 and "cannot open" in cp.stderr


def test_no_credentials_without_terminal(server, pki):
    # A new session has no controlling terminal, so there is nobody to ask.
    cp = subprocess.run([need_path("RESTAUTH_CLI"), "projects"], env=env_for(server, pki),
                        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60,
                        start_new_session=True)
    assert cp.returncode == 2 and cp.stdout == ""
    assert "no credentials" in cp.stderr and "--credentials" in cp.stderr


def _read_until(fd, text, timeout=20.0):
    seen = b""
    deadline = time.monotonic() + timeout
    while text.encode() not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    return seen.decode("utf-8", "replace")


def _on_terminal(argv, env):
    """Start argv with a new pseudo-terminal as its controlling terminal; stdout is a pipe."""
    master, slave = os.openpty()

    def make_controlling():
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    proc = subprocess.Popen(argv, env=env, stdin=slave, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True,
                            preexec_fn=make_controlling, text=True)
    os.close(slave)
    return proc, master


def test_prompt_on_terminal(server, pki, acct):
    _, cred = acct
    proc, master = _on_terminal([need_path("RESTAUTH_CLI"), "projects"], env_for(server, pki))
    try:
        shown = _read_until(master, "Customer ID: ")
        os.write(master, (cred[0] + "\n").encode())
        shown += _read_until(master, "Customer Secret: ")
        os.write(master, (cred[1] + "\n").encode())
        out, err = proc.communicate(timeout=20)
        shown += _read_until(master, "\n", timeout=1)
    finally:
        os.close(master)
    assert proc.returncode == 0, err
    assert "projects" in json.loads(out)
    assert cred[0] in shown           # the ID is echoed
    assert cred[1] not in shown       # the secret is not
    assert cred[1] not in out + err


def test_prompt_for_secret_only(server, pki, acct):
    _, cred = acct
    env = env_for(server, pki, RESTAUTH_CUSTOMER_ID=cred[0])
    proc, master = _on_terminal([need_path("RESTAUTH_CLI"), "--table", "projects"], env)
    try:
        shown = _read_until(master, "Customer Secret: ")
        os.write(master, b"wrong-secret-typed\n")
        out, err = proc.communicate(timeout=20)
    finally:
        os.close(master)
    assert "Customer ID" not in shown
    assert proc.returncode == 3 and out == "" and "HTTP 401" in err
    assert "wrong-secret-typed" not in shown + out + err


@pytest.mark.parametrize("script,code,text", [
    ("429", 5, "rate limited"), ("500", 7, "server error"), ("503", 7, "HTTP 503"),
    ("401", 3, "authentication failed"), ("garbage", 1, "unexpected response"),
])
def test_exit_codes_for_answers(fake, pki, script, code, text):
    env = clean_env(RESTAUTH_CA_FILE=pki.ca, RESTAUTH_CUSTOMER_ID="fake-id",
                    RESTAUTH_CUSTOMER_SECRET="fake-secret")
    url = fake.url(uuid.uuid4().hex[:8], "cli", script)
    cp = restauth(["--base-url", url, "--retries", "0", "projects"], env)
    assert cp.returncode == code, cp
    assert cp.stdout == "" and text in cp.stderr


def test_exit_codes_for_network(fake, pki):
    env = clean_env(RESTAUTH_CA_FILE=pki.ca, RESTAUTH_CUSTOMER_ID="fake-id",
                    RESTAUTH_CUSTOMER_SECRET="fake-secret")
    for port, text in ((fake.closed, "could not connect"), (fake.wrongcert, "TLS failure")):
        cp = restauth(["--base-url", f"https://127.0.0.1:{port}", "--retries", "0", "projects"],
                      env)
        assert cp.returncode == 6 and text in cp.stderr, cp
    cp = restauth(["--base-url", "http://api.agora.io", "projects"], env)
    assert cp.returncode == 2 and "clear text" in cp.stderr


def test_verbose_retries(fake, pki):
    env = clean_env(RESTAUTH_CA_FILE=pki.ca, RESTAUTH_CUSTOMER_ID="fake-id",
                    RESTAUTH_CUSTOMER_SECRET="fake-secret")
    token = uuid.uuid4().hex[:8]
    url = fake.url(token, "cli-v", "503+201")
    cp = restauth(["-v", "--retries", "1", "--base-url", url, "projects"], env)
    assert cp.returncode == 0, cp
    assert f"restauth: attempt 1 to {url}: HTTP 503; retrying in 1000 ms\n" in cp.stderr
    assert f"restauth: attempt 2 to {url}: HTTP 201\n" in cp.stderr
    hits = fake.get(token, "cli-v")
    assert len(hits) == 2 and hits[1].time - hits[0].time >= 0.99
    assert hits[0].auth == basic(("fake-id", "fake-secret"))
    assert "fake-secret" not in cp.stderr


def test_base_url_and_cacert_options(server, pki, acct):
    env = clean_env()
    args = ["--credentials", acct[0], "--base-url", server.url]
    listing(restauth(args + ["--cacert", pki.ca, "projects"], env))
    # Verification is always on: without the private CA the server is not trusted.
    cp = restauth(args + ["--retries", "0", "projects"], env)
    assert cp.returncode == 6 and "TLS failure" in cp.stderr
    cp = restauth(args + ["--cacert", server.dir / "nope.pem", "projects"], env)
    assert cp.returncode == 2 and "not readable" in cp.stderr
    # Options win over the environment, even over invalid values there.
    env = clean_env(RESTAUTH_BASE_URL="http://example.com", RESTAUTH_CA_FILE="/nonexistent")
    listing(restauth(args + ["--cacert", pki.ca, "projects"], env))
    cp = restauth(["--credentials", acct[0], "projects"], env)
    assert cp.returncode == 2 and "clear text" in cp.stderr


def test_credentials_list(server, pki):
    """`restauth credentials list`: the caller's pairs with status, expiry, last use and the
    30-day usage, as JSON and as a table; never a secret."""
    path, cred = server.account("creds")
    SECRETS.append(cred[1])
    env = env_for(server, pki)
    for _ in range(3):
        ok(restauth(["--credentials", path, "projects"], env))
    top = as_json(restauth(["--credentials", path, "credentials", "list"], env))
    assert [k for k, _ in top] == ["credentials"]
    items = [dict(x) for x in top[0][1]]
    assert len(items) == 1
    mine = items[0]
    assert list(mine) == ["customer_id", "status", "created_at", "expires_at", "last_used_at",
                          "usage"]
    assert mine["customer_id"] == cred[0] and mine["status"] == "active"
    assert mine["expires_at"] is None and abs(mine["last_used_at"] - time.time()) < 60
    usage = dict(mine["usage"])
    # The pair was used by the three calls (and by the check that it works) and by this one.
    n = usage["total"]
    assert len(usage["days"]) == 30 and n >= 4 and usage["days"][-1] == n
    out = ok(restauth(["--credentials", path, "--table", "credentials", "list"], env))
    lines = out.splitlines()
    assert lines[0].split() == ["CUSTOMER_ID", "STATUS", "EXPIRES", "LAST_USED", "LAST_30D"]
    assert lines[1].split()[:3] == [cred[0], "active", "never"] and lines[1].split()[-1] == str(n + 1)
    bad = restauth(["--credentials", path, "credentials", "list", "extra"], env)
    assert bad.returncode == 2
