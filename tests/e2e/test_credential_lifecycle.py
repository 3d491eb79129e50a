# SPDX-License-Identifier: MIT
"""The credential lifecycle over HTTPS: disable and enable, expiry, roll and tripwire pairs from
the CLI and the console API; every refusal answered exactly as a wrong secret; the last-pair
rules; GET /dev/v1/credentials with per-pair usage; the audit log from the CLI and the
console."""

import datetime
import json
import re
import time

from e2e_lib import HEX32, Console, read_secret_file, set_login

EMAIL = "owner@example.com"
PASSWORD = "correct horse battery staple"


def rfc3339(t):
    return datetime.datetime.fromtimestamp(int(t), datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def new_pair(s, account, *extra):
    cp = s.cli("secret", "add", "--account", account, *extra)
    assert cp.returncode == 0, cp.stderr
    cid = re.search(r"^customer_id: ([0-9a-f]{32})$", cp.stdout, re.M).group(1)
    secret = re.search(r"^customer_secret: ([0-9a-f]{32})$", cp.stdout, re.M).group(1)
    return cid, secret


def refusal(r):
    """What a client can see of a refusal: status, body and the challenge."""
    return r.status, r.body, r.header("WWW-Authenticate"), r.header("Content-Type")


def wait_status(s, cred, status, timeout=5.0):
    deadline = time.monotonic() + timeout
    while True:
        r = s.request("GET", "/dev/v1/projects", cred=cred)
        if r.status == status:
            return r
        assert time.monotonic() < deadline, f"still {r.status}, wanted {status}"
        time.sleep(0.05)


def audit(s, *args):
    cp = s.cli("audit", "list", *args)
    assert cp.returncode == 0, cp.stderr
    return [json.loads(line) for line in cp.stdout.splitlines() if line]


def started(make_server):
    s = make_server("life")
    s.add_account("acct")
    return s


def test_disabled_expired_tripwire_refused_as_wrong_secret(make_server):
    s = started(make_server)
    a = new_pair(s, "acct")
    b = new_pair(s, "acct")
    expired = new_pair(s, "acct", "--expires-at", "2001-01-01T00:00:00Z")
    trip = new_pair(s, "acct", "--tripwire")
    s.start("--rate-limit", "0", "--auth-fail-limit", "0")
    assert s.request("GET", "/dev/v1/projects", cred=a).status == 201
    wrong = refusal(s.request("GET", "/dev/v1/projects", cred=(a[0], "0" * 32)))
    assert wrong[0] == 401
    assert refusal(s.request("GET", "/dev/v1/projects", cred=expired)) == wrong
    assert refusal(s.request("GET", "/dev/v1/projects", cred=trip)) == wrong

    cp = s.cli("secret", "disable", a[0])
    assert cp.returncode == 0, cp.stderr
    assert "\tdisabled\t" in cp.stdout
    assert refusal(wait_status(s, a, 401)) == wrong
    # b is now the last enabled pair: the expired and the tripwire pairs do not count.
    cp = s.cli("secret", "disable", b[0])
    assert cp.returncode == 1 and "last credential pair" in cp.stderr, cp
    assert s.request("GET", "/dev/v1/projects", cred=b).status == 201
    assert s.cli("secret", "delete", b[0]).returncode == 1
    cp = s.cli("secret", "enable", a[0])
    assert cp.returncode == 0 and "\tactive\t" in cp.stdout, cp
    wait_status(s, a, 201)
    cp = s.cli("secret", "disable", b[0])
    assert cp.returncode == 0, cp.stderr
    cp = s.cli("secret", "disable", a[0], "--force")
    assert cp.returncode == 0, cp.stderr
    wait_status(s, a, 401)

    rows = {line.split("\t")[0]: line.split("\t")
            for line in s.cli("secret", "list", "--account", "acct").stdout.splitlines()[1:]}
    assert rows[a[0]][3] == "disabled" and rows[expired[0]][3] == "expired"
    assert rows[trip[0]][3] == "tripwire" and rows[expired[0]][4] == "2001-01-01T00:00:00Z"


def test_expiry_to_the_second_and_never(make_server):
    s = started(make_server)
    a = new_pair(s, "acct")
    b = new_pair(s, "acct")
    s.start("--rate-limit", "0", "--auth-fail-limit", "0")
    # The only other enabled pair must outlive it: an expiry of the last one needs --force.
    assert s.cli("secret", "expire", b[0], "--in", "1d").returncode == 0
    cp = s.cli("secret", "expire", a[0], "--in", "2d")
    assert cp.returncode == 1 and "last credential pair" in cp.stderr, cp
    assert s.cli("secret", "expire", a[0], "--never").returncode == 0
    assert s.cli("secret", "expire", a[0], "--in", "3x").returncode == 1
    assert s.cli("secret", "expire", a[0]).returncode == 1
    at = int(time.time()) + 3
    cp = s.cli("secret", "expire", b[0], "--at", rfc3339(at))
    assert cp.returncode == 0, cp.stderr
    assert f"expires {rfc3339(at)}" in cp.stdout
    wait_status(s, b, 201)
    while time.time() < at - 1:
        assert s.request("GET", "/dev/v1/projects", cred=b).status == 201
        time.sleep(0.2)
    while time.time() < at + 0.2:
        time.sleep(0.05)
    assert s.request("GET", "/dev/v1/projects", cred=b).status == 401
    assert s.cli("secret", "expire", b[0], "--never").returncode == 0
    wait_status(s, b, 201)


def test_roll_overlap_and_limit(make_server):
    s = started(make_server)
    a = new_pair(s, "acct")
    s.start("--rate-limit", "0", "--auth-fail-limit", "0")
    out = s.dir / "rolled.txt"
    cp = s.cli("secret", "roll", a[0], "--overlap", "24h", "--out", str(out))
    assert cp.returncode == 0, cp.stderr
    fresh = read_secret_file(out)
    assert fresh[1] not in cp.stdout and fresh[0] in cp.stdout
    assert re.search(rf"^{a[0]}\tactive\texpires \S+Z$", cp.stdout, re.M), cp.stdout
    wait_status(s, fresh, 201)
    assert s.request("GET", "/dev/v1/projects", cred=a).status == 201
    # Rolling the new pair at once revokes it (overlap 0): the secret goes to stdout.
    cp = s.cli("secret", "roll", fresh[0], "--overlap", "0")
    assert cp.returncode == 0, cp.stderr
    newest = (re.search(r"^customer_id: (\w+)$", cp.stdout, re.M).group(1),
              re.search(r"^customer_secret: (\w+)$", cp.stdout, re.M).group(1))
    wait_status(s, fresh, 401)
    wait_status(s, newest, 201)
    # Old pairs count toward the limit until they expire: a (for 24 h) and newest leave room
    # for 8 more, as `fresh` has expired (it stays listed).
    for _ in range(8):
        new_pair(s, "acct")
    cp = s.cli("secret", "roll", newest[0], "--overlap", "1h")
    assert cp.returncode == 1 and "the most it can have" in cp.stderr, cp
    assert s.cli("secret", "add", "--account", "acct").returncode == 1
    rows = s.cli("secret", "list", "--account", "acct").stdout.splitlines()[1:]
    assert len(rows) == 11 and sum("\texpired\t" in r for r in rows) == 1, rows
    cp = s.cli("secret", "roll", "f" * 32, "--overlap", "1h")
    assert cp.returncode == 1


def test_tripwire_alert(make_server):
    s = started(make_server)
    new_pair(s, "acct")
    trip = new_pair(s, "acct", "--tripwire")
    s.start("--rate-limit", "0", "--auth-fail-limit", "0")
    assert s.request("GET", "/dev/v1/projects", cred=trip).status == 401
    deadline = time.monotonic() + 5
    while not [e for e in audit(s) if e["action"] == "credential.tripwire_used"]:
        assert time.monotonic() < deadline, "the tripwire use never reached the audit log"
        time.sleep(0.1)
    entry = [e for e in audit(s) if e["action"] == "credential.tripwire_used"][0]
    assert entry["alert"] is True and entry["target"] == trip[0]
    assert entry["address"] == "127.0.0.1" and entry["account"] == "acct"
    log = s.stderr_text()
    assert re.search(rf"warning.*tripwire.*{trip[0]}.*127\.0\.0\.1", log, re.I), log
    assert trip[1] not in log
    assert trip[0] not in s.access_log.read_text()  # not a verified pair
    rows = s.cli("secret", "list", "--account", "acct", "--json").stdout.splitlines()
    assert json.loads(rows[1])["tripwire"] is True


def test_rest_credentials_usage(make_server):
    s = started(make_server)
    a = new_pair(s, "acct")
    b = new_pair(s, "acct")
    s.start("--rate-limit", "0")
    for _ in range(4):
        assert s.request("GET", "/dev/v1/projects", cred=a).status == 201
    r = s.request("GET", "/dev/v1/credentials", cred=a)
    assert r.status == 200, r
    creds = {c["customer_id"]: c for c in r.json()["credentials"]}
    assert set(creds) == {a[0], b[0]}
    ca, cb = creds[a[0]], creds[b[0]]
    assert set(ca) == {"customer_id", "status", "created_at", "expires_at", "last_used_at",
                       "usage"}
    assert ca["status"] == "active" and ca["expires_at"] is None
    assert abs(ca["last_used_at"] - time.time()) < 5 and cb["last_used_at"] is None
    days = ca["usage"]["days"]
    assert len(days) == 30 and days[-1] == 5 and ca["usage"]["total"] == 5  # this call too
    assert cb["usage"]["total"] == 0
    today = datetime.datetime.now(datetime.timezone.utc).date()
    assert ca["usage"]["first_day"] == str(today - datetime.timedelta(days=29))
    assert a[1] not in r.body.decode() and b[1] not in r.body.decode()
    assert s.request("GET", "/dev/v1/credentials", cred=(a[0], b[1])).status == 401


def test_audit_list_from_the_cli(make_server):
    s = started(make_server)
    a = new_pair(s, "acct")
    b = new_pair(s, "acct")
    s.add_account("other")
    new_pair(s, "other")
    assert s.cli("secret", "disable", a[0]).returncode == 0
    assert s.cli("secret", "enable", a[0]).returncode == 0
    assert s.cli("secret", "expire", a[0], "--in", "90d").returncode == 0
    assert s.cli("secret", "delete", b[0]).returncode == 0
    entries = audit(s, "--account", "acct")
    actions = [e["action"] for e in entries]
    assert actions[:4] == ["credential.delete", "credential.expire", "credential.enable",
                           "credential.disable"], actions
    assert actions.count("credential.create") == 2 and "credential.issue" in actions
    assert [e["id"] for e in entries] == sorted((e["id"] for e in entries), reverse=True)
    for e in entries:
        assert e["actor"] == "cli" and e["address"] is None and e["alert"] is False
        assert e["account"] == "acct"
    assert len(audit(s)) == len(entries) + 2
    assert len(audit(s, "--limit", "1")) == 1
    assert audit(s, "--since", rfc3339(time.time() + 3600)) == []
    for _, secret in s.secrets + [a, b]:
        assert secret not in s.cli("audit", "list").stdout
    assert s.cli("audit", "list", "--account", "nobody").returncode == 1


def test_console_lifecycle_and_audit(make_server):
    s = started(make_server)
    cli = new_pair(s, "acct")
    set_login(s, "acct", EMAIL, PASSWORD)
    s.start("--rate-limit", "0")
    c = Console(s)
    assert c.signin(EMAIL, "wrong password").status == 401
    assert c.signin(EMAIL, PASSWORD).status == 200

    r = c.call("POST", "credentials", {"expires_in": "90d"})
    assert r.status == 201, r
    pending = r.json()["credential"]
    assert pending["status"] == "pending" and pending["issued"] is False
    assert abs(pending["expires_at"] - (time.time() + 90 * 86400)) < 10
    assert len(pending["usage"]["days"]) == 30 and pending["usage"]["total"] == 0
    assert c.call("POST", "credentials", {"expires_in": "soon"}).status == 400
    assert c.call("POST", "credentials", {"expires_at": "2030-02-30T00:00:00Z"}).status == 400

    listed = c.call("GET", "credentials").json()
    assert listed["max_secrets"] == 10
    mine = {x["customer_id"]: x for x in listed["credentials"]}[cli[0]]
    assert mine["status"] == "active" and mine["issued"] is True and mine["tripwire"] is False

    r = c.call("POST", "credentials/disable", {"customer_id": cli[0]})
    assert r.status == 200 and r.json()["credential"]["status"] == "disabled", r
    assert s.request("GET", "/dev/v1/projects", cred=cli).status == 401
    r = c.call("POST", "credentials/enable", {"customer_id": cli[0]})
    assert r.status == 200 and r.json()["credential"]["status"] == "active", r
    assert s.request("GET", "/dev/v1/projects", cred=cli).status == 201
    assert c.call("POST", "credentials/delete",
                  {"customer_id": pending["customer_id"]}).status == 200
    r = c.call("POST", "credentials/disable", {"customer_id": cli[0]})
    assert r.status == 409 and "last credential pair" in r.json()["message"], r
    r = c.call("POST", "credentials/expire", {"customer_id": cli[0], "expires_in": "7d"})
    assert r.status == 409, r
    r = c.call("POST", "credentials/expire", {"customer_id": cli[0], "never": True})
    assert r.status == 200 and r.json()["credential"]["expires_at"] is None, r
    assert c.call("POST", "credentials/expire", {"customer_id": cli[0]}).status == 400
    assert c.call("POST", "credentials/disable", {"customer_id": "f" * 32}).status == 404

    r = c.call("POST", "credentials/roll", {"customer_id": cli[0], "overlap": "24h"})
    assert r.status == 201, r
    body = r.json()
    assert body["credential"]["status"] == "pending" and HEX32.match(
        body["credential"]["customer_id"])
    assert body["old"]["customer_id"] == cli[0]
    assert abs(body["old"]["expires_at"] - (time.time() + 86400)) < 10
    assert c.call("POST", "credentials/roll", {"customer_id": cli[0]}).status == 400
    new_id = body["credential"]["customer_id"]
    assert c.download(new_id).status == 200

    r = c.call("GET", "audit?limit=3")
    assert r.status == 200, r
    page = r.json()
    assert [e["action"] for e in page["entries"]] == ["credential.issue", "credential.create",
                                                      "credential.roll"]
    assert page["entries"][0]["actor"] == EMAIL and page["entries"][0]["address"] == "127.0.0.1"
    seen = page["entries"]
    while page["next"] is not None:
        page = c.call("GET", f"audit?limit=3&before={page['next']}").json()
        seen += page["entries"]
    actions = [e["action"] for e in seen]
    assert actions[-4:] == ["console.signin", "console.signin_failed", "credential.issue",
                            "credential.create"], actions
    assert {"credential.disable", "credential.enable", "credential.expire",
            "credential.delete"} <= set(actions)
    assert c.call("GET", "audit?limit=0").status == 400
    assert c.call("POST", "signout").status == 200
    assert "console.signout" in [e["action"] for e in audit(s, "--limit", "1")]

    # A REST project change names its Customer ID.
    assert s.request("POST", "/dev/v1/project", {"name": "p1"}, cred=cli).status == 201
    last = audit(s, "--limit", "1")[0]
    assert last["action"] == "project.create" and last["actor"] == cli[0]
