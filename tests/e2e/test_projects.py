# SPDX-License-Identifier: MIT
"""Project endpoints: success bodies (exact structure and key order), semantics, app errors,
tenant isolation and quotas."""

import re
import time
from urllib.parse import quote

import pytest

from e2e_lib import (BODY_DUP, BODY_LEGACY_NOT_EXIST, BODY_LEGACY_OK, BODY_NOT_EXIST,
                     BODY_QUOTA, HEX32, basic_value, error_body, expect, project_list,
                     read_secret_file, single_project)

BODY_ID_OR_NAME = b'{"status":"error","message":"id or name is required"}'


def test_create_with_certificate(shared):
    _, cred = shared.take()
    before = int(time.time())
    r = shared.s.request("POST", "/dev/v1/project", {"name": "project1", "enable_sign_key": True},
                         cred=cred)
    p = single_project(r, "project1")
    assert HEX32.match(p["sign_key"]) and HEX32.match(p["vendor_key"])
    assert p["sign_key"] != p["vendor_key"]
    assert p["status"] == 1 and p["recording_server"] is None
    assert before - 2 <= p["created"] <= int(time.time()) + 2


def test_create_without_certificate(shared):
    _, cred = shared.take()
    p = shared.s.create(cred, "nocert", sign=False)
    assert p["sign_key"] == "" and p["status"] == 1 and p["recording_server"] is None
    # exact bytes of the fields whose values we know
    r = shared.s.request("GET", f"/dev/v1/project?id={p['id']}&name=nocert", cred=cred)
    assert b'"sign_key":"",' in r.body and b'"recording_server":null,' in r.body


def test_create_keys_are_unique(shared):
    _, cred = shared.take()
    ps = [shared.s.create(cred, f"u{i}") for i in range(5)]
    assert len({p["id"] for p in ps}) == 5
    assert len({p["vendor_key"] for p in ps}) == 5
    assert len({p["sign_key"] for p in ps}) == 5


def test_create_with_curl(shared):
    _, cred = shared.take()
    r = shared.s.curl("POST", "/dev/v1/project", {"name": "via-curl", "enable_sign_key": True},
                      user=cred)
    p = single_project(r, "via-curl")
    r = shared.s.curl("GET", "/dev/v1/projects", user=cred)
    items = project_list(r)
    assert [x["id"] for x in items] == [p["id"]]


def test_get_project_by_id_and_name(shared):
    _, cred = shared.take()
    p = shared.s.create(cred, "alpha")
    shared.s.create(cred, "beta")
    r = shared.s.request("GET", f"/dev/v1/project?id={p['id']}&name=alpha", cred=cred)
    items = project_list(r)
    assert items == [p]


def test_get_project_mismatch_is_404(shared):
    _, cred = shared.take()
    p = shared.s.create(cred, "gamma")
    shared.s.create(cred, "delta")
    r = shared.s.request("GET", f"/dev/v1/project?id={p['id']}&name=delta", cred=cred)
    expect(r, 404, BODY_NOT_EXIST)
    r = shared.s.request("GET", "/dev/v1/project?id=nosuch0&name=gamma", cred=cred)
    expect(r, 404, BODY_NOT_EXIST)


def test_list_projects(shared):
    _, cred = shared.take()
    r = shared.s.request("GET", "/dev/v1/projects", cred=cred)
    expect(r, 201, b'{"projects":[]}')
    a = shared.s.create(cred, "one")
    b = shared.s.create(cred, "two", sign=False)
    items = project_list(shared.s.request("GET", "/dev/v1/projects", cred=cred))
    assert sorted(items, key=lambda x: x["id"]) == sorted([a, b], key=lambda x: x["id"])


def test_list_key_order_raw(shared):
    _, cred = shared.take()
    p = shared.s.create(cred, "order")
    r = shared.s.request("GET", "/dev/v1/projects", cred=cred)
    expected = ('{"projects":[{"id":"%s","name":"order","sign_key":"%s","vendor_key":"%s",'
                '"recording_server":null,"status":1,"created":%d}]}'
                % (p["id"], p["sign_key"], p["vendor_key"], p["created"])).encode()
    expect(r, 201, expected)


def test_single_key_order_raw(shared):
    _, cred = shared.take()
    r = shared.s.request("POST", "/dev/v1/project", {"name": "raw", "enable_sign_key": False},
                         cred=cred)
    p = single_project(r, "raw")
    expected = ('{"project":{"id":"%s","name":"raw","vendor_key":"%s","sign_key":"",'
                '"recording_server":null,"status":1,"created":%d}}'
                % (p["id"], p["vendor_key"], p["created"])).encode()
    expect(r, 201, expected)


def test_trailing_slash_accepted(shared):
    _, cred = shared.take()
    r = shared.s.request("POST", "/dev/v1/project/", {"name": "slash", "enable_sign_key": True},
                         cred=cred)
    p = single_project(r, "slash")
    items = project_list(shared.s.request("GET", "/dev/v1/projects/", cred=cred))
    assert [x["id"] for x in items] == [p["id"]]
    r = shared.s.request("POST", "/dev/v1/signkey/", {"id": p["id"], "enable": False}, cred=cred)
    assert single_project(r)["sign_key"] == ""


def test_project_status_disable_enable(shared):
    _, cred = shared.take()
    p = shared.s.create(cred, "st")
    r = shared.s.request("POST", "/dev/v1/project_status", {"id": p["id"], "status": 0},
                         cred=cred)
    q = single_project(r, "st")
    assert q["status"] == 0 and q["id"] == p["id"] and q["vendor_key"] == p["vendor_key"]
    assert q["created"] == p["created"]
    # disabled projects are still listed, with status 0
    items = project_list(shared.s.request("GET", "/dev/v1/projects", cred=cred))
    assert [(x["id"], x["status"]) for x in items] == [(p["id"], 0)]
    items = project_list(shared.s.request("GET", f"/dev/v1/project?id={p['id']}&name=st",
                                          cred=cred))
    assert items[0]["status"] == 0
    r = shared.s.request("POST", "/dev/v1/project_status", {"id": p["id"], "status": 1},
                         cred=cred)
    assert single_project(r)["status"] == 1


def test_recording_config(shared):
    _, cred = shared.take()
    p = shared.s.create(cred, "rec")
    r = shared.s.request("POST", "/dev/v1/recording_config",
                         {"id": p["id"], "recording_server": "10.12.1.5:8080"}, cred=cred)
    q = single_project(r, "rec")
    assert q["recording_server"] == "10.12.1.5:8080"
    assert b'"recording_server":"10.12.1.5:8080",' in r.body
    items = project_list(shared.s.request("GET", "/dev/v1/projects", cred=cred))
    assert items[0]["recording_server"] == "10.12.1.5:8080"


def test_signkey_disable_enable(shared):
    _, cred = shared.take()
    p = shared.s.create(cred, "sk")
    r = shared.s.request("POST", "/dev/v1/signkey", {"id": p["id"], "enable": False}, cred=cred)
    q = single_project(r, "sk")
    assert q["sign_key"] == "" and q["status"] == 1
    items = project_list(shared.s.request("GET", "/dev/v1/projects", cred=cred))
    assert items[0]["sign_key"] == ""
    r = shared.s.request("POST", "/dev/v1/signkey", {"id": p["id"], "enable": True}, cred=cred)
    q = single_project(r, "sk")
    assert HEX32.match(q["sign_key"])


def test_reset_signkey_gives_new_key(shared):
    _, cred = shared.take()
    p = shared.s.create(cred, "rs")
    r = shared.s.request("POST", "/dev/v1/reset_signkey", {"id": p["id"]}, cred=cred)
    q = single_project(r, "rs")
    assert HEX32.match(q["sign_key"]) and q["sign_key"] != p["sign_key"]
    assert q["vendor_key"] == p["vendor_key"]
    items = project_list(shared.s.request("GET", "/dev/v1/projects", cred=cred))
    assert items[0]["sign_key"] == q["sign_key"]


def test_reset_signkey_enables_certificate(shared):
    _, cred = shared.take()
    p = shared.s.create(cred, "rs-off", sign=False)
    r = shared.s.request("POST", "/dev/v1/reset_signkey", {"id": p["id"]}, cred=cred)
    q = single_project(r, "rs-off")
    assert HEX32.match(q["sign_key"])


def test_disabled_project_is_404_for_config_endpoints(shared):
    _, cred = shared.take()
    p = shared.s.create(cred, "off")
    single_project(shared.s.request("POST", "/dev/v1/project_status",
                                    {"id": p["id"], "status": 0}, cred=cred))
    rec = {"id": p["id"], "recording_server": "1.2.3.4:80"}
    for path, body in (("/dev/v1/recording_config", rec),
                       ("/dev/v1/signkey", {"id": p["id"], "enable": False}),
                       ("/dev/v1/reset_signkey", {"id": p["id"]})):
        expect(shared.s.request("POST", path, body, cred=cred), 404, BODY_NOT_EXIST)
    # nothing changed
    items = project_list(shared.s.request("GET", "/dev/v1/projects", cred=cred))
    assert items[0]["sign_key"] == p["sign_key"] and items[0]["recording_server"] is None


def test_unknown_project_is_404(shared):
    _, cred = shared.take()
    for path, body in (("/dev/v1/project_status", {"id": "zzzz9", "status": 0}),
                       ("/dev/v1/recording_config",
                        {"id": "zzzz9", "recording_server": "1.2.3.4:80"}),
                       ("/dev/v1/signkey", {"id": "zzzz9", "enable": True}),
                       ("/dev/v1/reset_signkey", {"id": "zzzz9"})):
        expect(shared.s.request("POST", path, body, cred=cred), 404, BODY_NOT_EXIST)


def test_legacy_delete(shared):
    _, cred = shared.take()
    p = shared.s.create(cred, "gone")
    keep = shared.s.create(cred, "kept")
    r = shared.s.request("DELETE", "/dev/v1/project", {"id": p["id"]}, cred=cred)
    expect(r, 200, BODY_LEGACY_OK)
    items = project_list(shared.s.request("GET", "/dev/v1/projects", cred=cred))
    assert [x["id"] for x in items] == [keep["id"]]
    r = shared.s.request("DELETE", "/dev/v1/project", {"id": p["id"]}, cred=cred)
    expect(r, 404, BODY_LEGACY_NOT_EXIST)
    r = shared.s.request("DELETE", "/dev/v1/project", {"id": "never1"}, cred=cred)
    expect(r, 404, BODY_LEGACY_NOT_EXIST)
    r = shared.s.request("POST", "/dev/v1/reset_signkey", {"id": p["id"]}, cred=cred)
    expect(r, 404, BODY_NOT_EXIST)


def legacy_delete_without_body(s, cred, project_id, length_line):
    """DELETE /dev/v1/project?id=PROJECT_ID written by hand: no body and no Content-Type;
    length_line is "" (no Content-Length at all) or a Content-Length line."""
    c = s.raw()
    try:
        assert c.send((f"DELETE /dev/v1/project?id={project_id} HTTP/1.1\r\n"
                       f"Host: 127.0.0.1\r\nAuthorization: {basic_value(cred)}\r\n"
                       f"{length_line}\r\n").encode("ascii"))
        r = c.response()
        assert r is not None, f"no response to a body-less DELETE ({length_line!r})"
        return r
    finally:
        c.close()


@pytest.mark.parametrize("length_line", ["", "Content-Length: 0\r\n"],
                         ids=["no-content-length", "content-length-0"])
def test_legacy_delete_id_in_query_without_body(shared, length_line):
    _, cred = shared.take()
    p = shared.s.create(cred, "gone")
    keep = shared.s.create(cred, "kept")
    r = legacy_delete_without_body(shared.s, cred, p["id"], length_line)
    expect(r, 200, BODY_LEGACY_OK)
    items = project_list(shared.s.request("GET", "/dev/v1/projects", cred=cred))
    assert [x["id"] for x in items] == [keep["id"]]
    for unknown in (p["id"], "never1"):
        r = legacy_delete_without_body(shared.s, cred, unknown, length_line)
        expect(r, 404, BODY_LEGACY_NOT_EXIST)
    items = project_list(shared.s.request("GET", "/dev/v1/projects", cred=cred))
    assert [x["id"] for x in items] == [keep["id"]]


def test_get_project_without_id_or_name(shared):
    _, cred = shared.take()
    shared.s.create(cred, "present")
    for path in ("/dev/v1/project", "/dev/v1/project/", "/dev/v1/project?other=1"):
        r = shared.s.request("GET", path, cred=cred)
        error_body(r, 400)
        expect(r, 400, BODY_ID_OR_NAME)


def test_duplicate_name(shared):
    _, cred = shared.take()
    shared.s.create(cred, "dup")
    r = shared.s.request("POST", "/dev/v1/project", {"name": "dup", "enable_sign_key": False},
                         cred=cred)
    expect(r, 400, BODY_DUP)
    assert len(project_list(shared.s.request("GET", "/dev/v1/projects", cred=cred))) == 1


def test_name_escaping_and_unicode(shared):
    _, cred = shared.take()
    for name in ('q"uo\\te/<x>', "\u9879\u76ee-\u00fc\u00df-\U0001f600", "sp ace&amp=1"):
        r = shared.s.request("POST", "/dev/v1/project", {"name": name, "enable_sign_key": True},
                             cred=cred)
        p = single_project(r, name)
        r = shared.s.request("GET", f"/dev/v1/project?id={p['id']}&name={quote(name)}",
                             cred=cred)
        assert project_list(r) == [p]


def test_name_length_limits(shared):
    _, cred = shared.take()
    ok = "n" * 255
    shared.s.create(cred, ok)
    for bad in ("", "m" * 256):
        r = shared.s.request("POST", "/dev/v1/project", {"name": bad, "enable_sign_key": True},
                             cred=cred)
        error_body(r, 400)


def test_bad_json_and_fields(shared):
    _, cred = shared.take()
    p = shared.s.create(cred, "target")
    cases = [
        ("/dev/v1/project", b'{"name": "x", "enable_sign_key": tru'),
        ("/dev/v1/project", b'{"name": "x"'),
        ("/dev/v1/project", b'[]'),
        ("/dev/v1/project", b'"name"'),
        ("/dev/v1/project", b''),
        ("/dev/v1/project", b'{"name": "x", "enable_sign_key": true} trailing'),
        ("/dev/v1/project", b'{"enable_sign_key": true}'),
        ("/dev/v1/project", b'{"name": 5, "enable_sign_key": true}'),
        ("/dev/v1/project", b'{"name": null, "enable_sign_key": true}'),
        ("/dev/v1/project", b'{"name": "x", "enable_sign_key": "true"}'),
        ("/dev/v1/project", b'{"name": "x", "enable_sign_key": 1}'),
        ("/dev/v1/project_status", b'{"status": 0}'),
        ("/dev/v1/project_status", ('{"id": "%s"}' % p["id"]).encode()),
        ("/dev/v1/project_status", ('{"id": "%s", "status": "0"}' % p["id"]).encode()),
        ("/dev/v1/project_status", ('{"id": "%s", "status": false}' % p["id"]).encode()),
        ("/dev/v1/project_status", ('{"id": "%s", "status": 2}' % p["id"]).encode()),
        ("/dev/v1/project_status", ('{"id": 12, "status": 0}').encode()),
        ("/dev/v1/recording_config", ('{"id": "%s"}' % p["id"]).encode()),
        ("/dev/v1/recording_config",
         ('{"id": "%s", "recording_server": 8080}' % p["id"]).encode()),
        ("/dev/v1/signkey", ('{"id": "%s", "enable": "yes"}' % p["id"]).encode()),
        ("/dev/v1/reset_signkey", b'{}'),
        ("/dev/v1/reset_signkey", b'{"id": ["x"]}'),
    ]
    failures = []
    for path, body in cases:
        r = shared.s.request("POST", path, body, cred=cred)
        try:
            error_body(r, 400)
        except AssertionError as e:
            failures.append(f"POST {path} {body!r}: {e}")
    assert not failures, "\n".join(failures)
    items = project_list(shared.s.request("GET", "/dev/v1/projects", cred=cred))
    assert [(x["name"], x["status"], x["sign_key"]) for x in items] == \
        [("target", 1, p["sign_key"])]


def test_boolean_fields_default_when_absent(shared):
    """enable_sign_key and enable are marked required but documented with defaults (false and
    true): an absent field takes its default, a mistyped one is a 400."""
    _, cred = shared.take()
    r = shared.s.request("POST", "/dev/v1/project", {"name": "no-flag"}, cred=cred)
    assert r.status == 201
    p = r.json()["project"]
    assert p["sign_key"] == ""
    r = shared.s.request("POST", "/dev/v1/signkey", {"id": p["id"]}, cred=cred)
    assert r.status == 201
    assert re.fullmatch(r"[0-9a-f]{32}", r.json()["project"]["sign_key"])
    r = shared.s.request("POST", "/dev/v1/project", {"name": "typed", "enable_sign_key": "yes"},
                         cred=cred)
    error_body(r, 400)
    r = shared.s.request("POST", "/dev/v1/signkey", {"id": p["id"], "enable": 1}, cred=cred)
    error_body(r, 400)


def test_default_project_quota_is_20(shared):
    _, cred = shared.take()
    for i in range(20):
        shared.s.create(cred, f"q{i}")
    r = shared.s.request("POST", "/dev/v1/project", {"name": "q20", "enable_sign_key": True},
                         cred=cred)
    expect(r, 400, BODY_QUOTA)
    assert len(project_list(shared.s.request("GET", "/dev/v1/projects", cred=cred))) == 20


def test_tenant_isolation(shared):
    _, a = shared.take()
    _, b = shared.take()
    pa = shared.s.create(a, "secret-project")
    pb = shared.s.create(b, "bobs")
    # B sees none of A's projects
    items = project_list(shared.s.request("GET", "/dev/v1/projects", cred=b))
    assert [x["id"] for x in items] == [pb["id"]]
    r = shared.s.request("GET", f"/dev/v1/project?id={pa['id']}&name=secret-project", cred=b)
    expect(r, 404, BODY_NOT_EXIST)
    # B cannot modify A's project
    for path, body in (("/dev/v1/project_status", {"id": pa["id"], "status": 0}),
                       ("/dev/v1/recording_config",
                        {"id": pa["id"], "recording_server": "6.6.6.6:66"}),
                       ("/dev/v1/signkey", {"id": pa["id"], "enable": False}),
                       ("/dev/v1/reset_signkey", {"id": pa["id"]})):
        expect(shared.s.request("POST", path, body, cred=b), 404, BODY_NOT_EXIST)
    expect(shared.s.request("DELETE", "/dev/v1/project", {"id": pa["id"]}, cred=b), 404,
           BODY_LEGACY_NOT_EXIST)
    # names are per account: B may use A's project name
    shared.s.create(b, "secret-project")
    # A's project is untouched
    items = project_list(shared.s.request("GET", "/dev/v1/projects", cred=a))
    assert items == [pa]


def test_max_projects_flag(make_server):
    s = make_server()
    s.add_account("quota")
    cred = s.add_secret("quota")
    s.start("--max-projects", "3", "--rate-limit", "0")
    for i in range(3):
        s.create(cred, f"p{i}")
    r = s.request("POST", "/dev/v1/project", {"name": "p3", "enable_sign_key": True}, cred=cred)
    expect(r, 400, BODY_QUOTA)
    r = s.curl("POST", "/dev/v1/project", {"name": "p4", "enable_sign_key": False}, user=cred)
    expect(r, 400, BODY_QUOTA)
    assert len(project_list(s.request("GET", "/dev/v1/projects", cred=cred))) == 3


def test_get_status_200(make_server):
    s = make_server()
    s.add_account("gs")
    cred = s.add_secret("gs")
    s.start("--get-status", "200", "--rate-limit", "0")
    r = s.request("POST", "/dev/v1/project", {"name": "g", "enable_sign_key": True}, cred=cred)
    p = single_project(r, "g", status=201)
    assert project_list(s.request("GET", "/dev/v1/projects", cred=cred), status=200) == [p]
    r = s.request("GET", f"/dev/v1/project?id={p['id']}&name=g", cred=cred)
    assert project_list(r, status=200) == [p]
    r = s.request("POST", "/dev/v1/project_status", {"id": p["id"], "status": 0}, cred=cred)
    assert single_project(r, status=201)["status"] == 0
    r = s.curl("GET", "/dev/v1/projects", user=cred)
    assert r.status == 200


def test_demo_credentials(make_server, tmp_path):
    s = make_server()
    demo = tmp_path / "demo_key_and_secret.txt"
    cp = s.cli("init", "--demo-credentials", str(demo))
    assert cp.returncode == 0, cp.stderr
    cred = read_secret_file(demo)
    s.secrets.append(cred)
    assert (demo.stat().st_mode & 0o777) == 0o600
    again = tmp_path / "demo_again.txt"
    cp = s.cli("init", "--demo-credentials", str(again))
    assert cp.returncode == 0, cp.stderr
    assert not again.exists(), "second init with an existing demo account wrote a new pair"
    s.start("--rate-limit", "0")
    items = project_list(s.request("GET", "/dev/v1/projects", cred=cred))
    by_name = {x["name"]: x for x in items}
    assert sorted(by_name) == ["demo-project-1", "demo-project-2"]
    assert HEX32.match(by_name["demo-project-1"]["sign_key"])
    assert by_name["demo-project-2"]["sign_key"] == ""
