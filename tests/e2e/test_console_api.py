# SPDX-License-Identifier: MIT
"""The web console's JSON API without a browser: sessions and their cookie, CSRF, expiry,
sign-in throttling, the once-only secret download, the pair limit and the last pair, and the
wall between console sessions and REST credentials."""

import re
import time

import pytest

from e2e_lib import BODY_UNAUTHORIZED, Console, read_secret_file, set_login

EMAIL = "Owner@Example.com"
PASSWORD = "correct horse battery staple"
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


def console_server(make_server, *args):
    """A started server whose account "owner" has a console sign-in and one CLI pair."""
    s = make_server("console")
    s.add_account("owner")
    cred = s.add_secret("owner")
    set_login(s, "owner", EMAIL, PASSWORD)
    s.start("--rate-limit", "0", *args)
    return s, cred


def signed_in(make_server, *args):
    s, cred = console_server(make_server, *args)
    c = Console(s)
    r = c.signin(EMAIL.lower(), PASSWORD)
    assert r.status == 200, r
    return s, c, cred


def check_security_headers(r, api=True):
    assert r.header("Content-Security-Policy") == CSP, r
    assert r.header("X-Frame-Options") == "DENY"
    assert r.header("Referrer-Policy") == "no-referrer"
    assert r.header("X-Content-Type-Options") == "nosniff"
    assert r.header("Cache-Control") == ("no-store" if api else "no-cache")
    assert r.header("WWW-Authenticate") is None


def test_signin_cookie_flags_and_headers(make_server):
    s, _ = console_server(make_server)
    c = Console(s)
    r = c.call("GET", "session")
    assert r.status == 200 and r.json() == {"signed_in": False}
    check_security_headers(r)
    r = c.signin(EMAIL.upper(), PASSWORD)  # e-mail compared ignoring case
    assert r.status == 200, r
    check_security_headers(r)
    cookie = r.header("Set-Cookie")
    m = re.fullmatch(r"ra_session=([A-Za-z0-9_-]{43}); Path=/console; HttpOnly; Secure; "
                     r"SameSite=Strict", cookie)
    assert m, cookie
    body = r.json()
    assert body["signed_in"] is True
    assert body["account"] == {"name": "owner", "email": EMAIL}
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", body["csrf_token"])
    assert body["max_secrets"] == 10
    r = c.call("GET", "session")
    assert r.json()["csrf_token"] == body["csrf_token"]
    assert r.header("Set-Cookie") is None


def test_web_files_are_embedded_with_a_strict_policy(make_server):
    s, _ = console_server(make_server)
    for path, ctype in [("/console/", "text/html"), ("/console", "text/html"),
                        ("/console/console.js", "text/javascript"),
                        ("/console/creds.js", "text/javascript"),
                        ("/console/chart.js", "text/javascript"),
                        ("/console/audit.js", "text/javascript"),
                        ("/console/console.css", "text/css"),
                        ("/console/favicon.svg", "image/svg+xml")]:
        r = s.request("GET", path)
        assert r.status == 200, (path, r)
        assert r.header("Content-Type").startswith(ctype), r
        check_security_headers(r, api=False)
    html = s.request("GET", "/console/").body.decode()
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert '<script src="/console/console.js" defer>' in scripts
    for tag in scripts:
        assert re.fullmatch(r'<script src="/console/[a-z]+\.js" defer>', tag), "no inline script"
    assert " style=" not in html and "<style" not in html and not re.search(r" on[a-z]+=", html)
    assert "http://" not in html and "https://" not in html, "nothing from the network"
    r = s.request("GET", "/console/nope.js")
    assert r.status == 404
    check_security_headers(r)
    assert s.request("POST", "/console/", body={}).status == 405
    assert s.request("GET", "/console/api/nope").status == 404
    assert s.request("GET", "/console/api/signin").status == 405


def test_wrong_password_and_unknown_email_look_the_same(make_server):
    s, _ = console_server(make_server)
    c = Console(s)
    wrong = c.signin(EMAIL, "not the password")
    unknown = c.signin("nobody@example.com", PASSWORD)
    assert wrong.status == unknown.status == 401
    assert wrong.body == unknown.body
    assert b"not correct" in wrong.body
    assert wrong.header("WWW-Authenticate") is None
    assert c.token is None
    assert c.call("POST", "signin", {"email": EMAIL}).status == 400
    assert c.call("POST", "signin", "not json").status == 400
    r = c.call("POST", "signin", {"email": EMAIL, "password": PASSWORD},
               headers={"Content-Type": "text/plain"})
    assert r.status == 415


def test_csrf_token_required_on_state_changes(make_server):
    s, c, _ = signed_in(make_server)
    before = len(c.pairs())
    for csrf in (None, "x" * 43, c.csrf[:-1] + ("A" if c.csrf[-1] != "A" else "B")):
        hdrs = {"X-CSRF-Token": csrf} if csrf else {}
        r = c.call("POST", "credentials", csrf=False, headers=hdrs)
        assert r.status == 403, r
        assert b"security token" in r.body
        check_security_headers(r)
    r = c.call("POST", "projects", {"name": "x"}, csrf=False)
    assert r.status == 403
    r = c.call("POST", "signout", csrf=False)
    assert r.status == 403
    assert len(c.pairs()) == before
    # Another site's page, even with the token, is refused.
    r = c.call("POST", "credentials", headers={"Origin": "https://evil.example"})
    assert r.status == 403 and b"another site" in r.body
    r = c.call("POST", "credentials", headers={"Sec-Fetch-Site": "cross-site"})
    assert r.status == 403
    r = c.call("POST", "credentials", headers={"Origin": f"https://127.0.0.1:{s.port}",
                                               "Sec-Fetch-Site": "same-origin"})
    assert r.status == 201, r
    assert len(c.pairs()) == before + 1


def test_session_idle_expiry(make_server):
    # Times are whole seconds: 1 s of real time may read as 2, so the margins are wide.
    s, c, _ = signed_in(make_server, "--session-idle-s", "3")
    assert c.call("GET", "credentials").status == 200
    for _ in range(3):
        time.sleep(1.0)
        assert c.call("GET", "credentials").status == 200  # activity moves the idle expiry
    time.sleep(4.2)
    r = c.call("GET", "credentials")
    assert r.status == 401, r
    assert b"sign in again" in r.body
    assert r.header("Set-Cookie").startswith("ra_session=; Path=/console; Max-Age=0")
    assert c.call("GET", "session").json() == {"signed_in": False}


def test_session_absolute_expiry(make_server):
    s, c, _ = signed_in(make_server, "--session-idle-s", "100", "--session-max-s", "4")
    start = time.monotonic()
    while time.monotonic() - start < 2.0:
        assert c.call("GET", "credentials").status == 200
        time.sleep(0.5)
    time.sleep(max(0, 5.2 - (time.monotonic() - start)))
    assert c.call("GET", "credentials").status == 401
    assert c.call("GET", "session").json() == {"signed_in": False}


def test_signin_throttled_per_account(make_server):
    s, _ = console_server(make_server, "--signin-fail-limit", "3",
                          "--signin-ip-fail-limit", "100")
    s.add_account("other")
    c = Console(s)
    for _ in range(3):
        assert c.signin(EMAIL, "wrong password!").status == 401
    t0 = time.monotonic()
    r = c.signin(EMAIL.lower(), PASSWORD)  # the right password too, without any hashing
    assert time.monotonic() - t0 < 0.5
    assert r.status == 429, r
    assert 1 <= int(r.header("Retry-After")) <= 900
    assert b"Too many failed sign-in attempts" in r.body
    assert c.token is None
    # Another account from the same address is not affected.
    set_login(s, "other", "other@example.com", PASSWORD)
    assert c.signin("other@example.com", PASSWORD).status == 200


def test_console_shares_the_rest_rate_limit(make_server):
    """The console's project calls count against the account's REST rate limit, in the same
    rate class as the REST endpoint they mirror; other classes keep their own budget."""
    s, c, cred = signed_in(make_server, "--rate-limit", "2")
    t0 = time.monotonic()
    console = [c.call("GET", "projects").status for _ in range(3)]
    rest = s.request("GET", "/dev/v1/projects", cred=cred)
    created = c.call("POST", "projects", {"name": "within-its-own-class"})
    elapsed = time.monotonic() - t0
    assert elapsed < 1.0, f"the calls took {elapsed:.2f} s, longer than one window"
    assert console == [200, 200, 429], console
    assert rest.status == 429 and rest.header("Retry-After") == "1", rest
    assert created.status == 201, created
    time.sleep(1.1)
    assert c.call("GET", "projects").status == 200


def test_signin_throttled_per_ip(make_server):
    s, _ = console_server(make_server, "--signin-fail-limit", "100",
                          "--signin-ip-fail-limit", "3")
    c = Console(s)
    for i in range(3):
        assert c.signin(f"guess{i}@example.com", "wrong password!").status == 401
    r = c.signin(EMAIL, PASSWORD)
    assert r.status == 429, r
    assert int(r.header("Retry-After")) >= 1


def test_successful_signin_clears_the_account_count_and_spares_the_address(make_server):
    s, _ = console_server(make_server, "--signin-fail-limit", "3",
                          "--signin-ip-fail-limit", "3")
    c = Console(s)
    for _ in range(2):
        assert c.signin(EMAIL, "wrong password!").status == 401
    # Each success clears the account's count and gives the address its unit back, so two in
    # a row stay under both limits; were a success counted, the second would get 429.
    for _ in range(2):
        r = c.signin(EMAIL, PASSWORD)
        assert r.status == 200, r


def test_signout_revokes_and_signin_rotates(make_server):
    s, c, _ = signed_in(make_server)
    first = c.token
    r = c.signin(EMAIL, PASSWORD)  # signing in again gives a new token, the old one ends
    assert r.status == 200 and c.token != first
    old = Console(s)
    old.token = first
    assert old.call("GET", "session").json() == {"signed_in": False}
    second = c.token
    r = c.call("POST", "signout")
    assert r.status == 200 and r.json() == {"signed_in": False}
    assert r.header("Set-Cookie").startswith("ra_session=; Path=/console; Max-Age=0")
    check_security_headers(r)
    replay = Console(s)
    replay.token = second
    replay.csrf = c.csrf
    assert replay.call("GET", "credentials").status == 401
    assert replay.call("POST", "credentials").status == 401


def test_secret_leaves_once_and_works_at_once(make_server):
    s, c, cli_cred = signed_in(make_server)
    pid = c.add_pair()
    listed = {p["customer_id"]: p for p in c.pairs()}
    assert listed[pid]["status"] == "pending" and listed[pid]["issued"] == 0
    assert listed[cli_cred[0]]["status"] == "active"
    # A pending pair has no secret at all: nothing authenticates as it.
    assert s.request("GET", "/dev/v1/projects", cred=(pid, "0" * 32)).status == 401
    cp = s.cli("secret", "list", "--account", "owner")
    assert f"{pid}\t" in cp.stdout and "\tpending" in cp.stdout

    r = c.download(pid)
    assert r.status == 200, r
    assert r.header("Content-Type").startswith("text/plain")
    assert r.header("Content-Disposition") == 'attachment; filename="key_and_secret.txt"'
    check_security_headers(r)
    path = s.dir / "downloaded.txt"
    path.write_bytes(r.body)
    cid, secret = read_secret_file(path)
    assert cid == pid
    # The pair works at once, with no wait for a sync.
    r2 = s.request("GET", "/dev/v1/projects", cred=(cid, secret))
    assert r2.status == 201, r2

    again = c.download(pid)
    assert again.status == 410, again
    msg = again.json()["message"]
    assert "already downloaded" in msg and "delete this pair and add a new one" in msg
    assert c.download("0" * 32).status == 404
    assert c.pairs()[-1]["status"] == "active"
    c.call("GET", "session")
    c.call("GET", "projects")

    # The secret is in exactly one response, and nowhere on disk but the downloaded file.
    carrying = [x for x in c.responses
                if secret.encode() in x.body or any(secret in v for _, v in x.headers)]
    assert len(carrying) == 1 and carrying[0].header("Content-Disposition")
    s.stop()
    for f in s.dir.iterdir():
        if f.is_file() and f != path:
            assert secret.encode() not in f.read_bytes(), f
    cp = s.cli("secret", "list", "--account", "owner")
    assert secret not in cp.stdout + cp.stderr


def test_pair_limit_and_last_pair(make_server):
    s, c, cli_cred = signed_in(make_server, "--max-secrets", "3")
    ids = [c.add_pair(), c.add_pair()]
    r = c.call("POST", "credentials")
    assert r.status == 409, r
    assert "the most it can have" in r.json()["message"]
    assert len(c.pairs()) == 3
    for pid in ids:
        r = c.call("POST", "credentials/delete", {"customer_id": pid})
        assert r.status == 200 and r.json()["deleted"] == pid, r
        assert set(r.json()) == {"deleted", "revocation"}, r
    r = c.call("POST", "credentials/delete", {"customer_id": cli_cred[0]})
    assert r.status == 409, r
    assert "last credential pair" in r.json()["message"]
    assert s.request("GET", "/dev/v1/projects", cred=cli_cred).status == 201
    assert c.call("POST", "credentials/delete", {"customer_id": "f" * 32}).status == 404


def test_delete_reports_the_nodes_that_applied_it(make_server):
    """A console deletion says how far it has reached the running nodes, and the page can
    follow it until every live node has applied it."""
    s, c, _ = signed_in(make_server)
    pid = c.add_pair()
    r = c.call("POST", "credentials/delete", {"customer_id": pid})
    assert r.status == 200, r
    rev = r.json()["revocation"]
    assert rev["seq"] > 0 and rev["live"] == 1 and rev["confirmed"] in (0, 1), rev
    assert len(rev["pending"]) == rev["live"] - rev["confirmed"], rev
    deadline = time.monotonic() + 5
    while True:
        r = c.call("GET", f"revocation?seq={rev['seq']}")
        assert r.status == 200, r
        body = r.json()
        if body["confirmed"] == body["live"] or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert body == {"seq": rev["seq"], "live": 1, "confirmed": 1, "pending": []}, body
    for bad in ("", "0", "-1", "x", "1x", "99999999999999999999"):
        assert c.call("GET", f"revocation?seq={bad}").status == 400, bad
    assert c.call("GET", "revocation").status == 400
    # Not signed in: no report.
    assert Console(s).call("GET", f"revocation?seq={rev['seq']}").status == 401


def test_deleted_pair_stops_at_once(make_server):
    s, c, cli_cred = signed_in(make_server)
    pid = c.add_pair()
    r = c.download(pid)
    path = s.dir / "k.txt"
    path.write_bytes(r.body)
    cred = read_secret_file(path)
    assert s.request("GET", "/dev/v1/projects", cred=cred).status == 201
    assert c.call("POST", "credentials/delete", {"customer_id": pid}).status == 200
    assert s.request("GET", "/dev/v1/projects", cred=cred).status == 401


def test_accounts_see_only_their_own_pairs(make_server):
    s, c, _ = signed_in(make_server)
    other = s.add_secret(s.add_account("stranger"))
    assert other[0] not in [p["customer_id"] for p in c.pairs()]
    assert c.call("POST", "credentials/delete", {"customer_id": other[0]}).status == 404
    assert c.download(other[0]).status == 404
    assert s.wait_auth_ok(other).status == 201  # added by the CLI: seen at the next sync


def test_rest_and_console_credentials_do_not_mix(make_server):
    s, c, cli_cred = signed_in(make_server)
    r = s.request("GET", "/dev/v1/projects", headers={"Cookie": f"ra_session={c.token}"})
    assert r.status == 401 and r.body == BODY_UNAUTHORIZED
    r = s.request("GET", "/console/api/credentials", cred=cli_cred)
    assert r.status == 401, r
    assert r.header("WWW-Authenticate") is None
    r = s.request("POST", "/console/api/credentials", body={}, cred=cli_cred,
                  headers={"X-CSRF-Token": c.csrf})
    assert r.status == 401


def test_projects_share_the_rest_rules(make_server):
    s, c, cli_cred = signed_in(make_server, "--max-projects", "2")
    r = c.call("POST", "projects", {"name": "shared", "enable_sign_key": True})
    assert r.status == 201, r
    p = r.json()["project"]
    assert p["sign_key"] and p["status"] == 1
    rest = s.request("GET", "/dev/v1/projects", cred=cli_cred).json()["projects"]
    assert [x["id"] for x in rest] == [p["id"]]
    r = c.call("POST", "projects", {"name": "shared"})
    assert r.status == 400 and r.json()["message"] == "project name already exists"
    r = c.call("GET", "projects")
    assert r.status == 200 and [x["name"] for x in r.json()["projects"]] == ["shared"]
    r = c.call("POST", "projects/signkey", {"id": p["id"], "enable": False})
    assert r.status == 201 and r.json()["project"]["sign_key"] == ""
    r = c.call("POST", "projects/status", {"id": p["id"], "status": 0})
    assert r.status == 201 and r.json()["project"]["status"] == 0
    r = c.call("POST", "projects/reset_signkey", {"id": p["id"]})
    assert r.status == 404  # a disabled project, as on the REST API
    r = c.call("POST", "projects/status", {"id": p["id"], "status": 1})
    r = c.call("POST", "projects/reset_signkey", {"id": p["id"]})
    assert r.status == 201 and len(r.json()["project"]["sign_key"]) == 32
    assert c.call("POST", "projects", {"name": "two"}).status == 201
    r = c.call("POST", "projects", {"name": "three"})
    assert r.status == 400 and "maximum" in r.json()["message"]
    rest = s.request("GET", "/dev/v1/projects", cred=cli_cred).json()["projects"]
    assert [x["name"] for x in rest] == ["shared", "two"]


def test_account_cli_sign_in_settings(make_server):
    s = make_server("cli")
    pw = s.dir / "pw.txt"
    pw.write_text("short\n")
    cp = s.cli("account", "add", "a1", "--email", "a1@example.com", "--password-file", str(pw))
    assert cp.returncode == 1 and "password of 8" in cp.stderr
    assert "a1" not in s.cli("account", "list").stdout  # nothing was created
    pw.write_text("long enough password\r\nsecond line ignored\n")
    cp = s.cli("account", "add", "a1", "--email", "a1@example.com", "--password-file", str(pw))
    assert cp.returncode == 0, cp.stderr
    assert "long enough" not in cp.stdout + cp.stderr
    cp = s.cli("account", "add", "a2", "--email", "A1@EXAMPLE.COM")
    assert cp.returncode == 1 and "already uses" in cp.stderr
    assert s.cli("account", "add", "a3", "--email", "not-an-email").returncode == 1
    assert s.cli("account", "passwd", "a1").returncode == 2
    assert s.cli("account", "passwd", "nobody", "--email", "x@y.z").returncode == 1
    s.add_secret("a1")
    s.start()
    c = Console(s)
    assert c.signin("a1@example.com", "long enough password").status == 200
    # A new password ends the sessions signed in with the old one.
    pw.write_text("another long password\n")
    assert s.cli("account", "passwd", "a1", "--password-file", str(pw)).returncode == 0
    assert c.call("GET", "session").json() == {"signed_in": False}
    assert c.signin("a1@example.com", "long enough password").status == 401
    assert c.signin("a1@example.com", "another long password").status == 200
