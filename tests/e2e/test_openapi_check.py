# SPDX-License-Identifier: MIT
"""The live check of responses against the OpenAPI documents (openapi_check.py) really runs:
it refuses a wrong body, an undocumented status and an undocumented media type, and accepts
the real ones; and the request helpers call it."""

import pytest

import openapi_check
from openapi_check import Mismatch

PROJECT = (b'{"project":{"id":"abc","name":"n","vendor_key":"' + b"0" * 32 +
           b'","sign_key":"","recording_server":null,"status":1,"created":1}}')


def test_a_right_body_passes():
    openapi_check.check("POST", "/dev/v1/project", 201, "application/json", PROJECT)
    openapi_check.check("GET", "/dev/v1/projects/", 200, "application/json", b'{"projects":[]}')
    openapi_check.check("GET", "/no/such/path", 404, "application/json",
                        b'{"message":"no Route matched with those values"}')
    openapi_check.check("GET", "/auth/verify/any/thing", 200, "application/json", b"")
    openapi_check.check("HEAD", "/dev/v1/projects", 201, "application/json", b"")


@pytest.mark.parametrize("method,path,status,ctype,body", [
    # a field of the wrong type
    ("POST", "/dev/v1/project", 201, "application/json", PROJECT.replace(b'"status":1', b'"status":"1"')),
    # a required field missing
    ("GET", "/dev/v1/projects", 201, "application/json", b'{"items":[]}'),
    # a field no schema has
    ("GET", "/dev/v1/project", 404, "application/json",
     b'{"status":"error","message":"project not exist","extra":1}'),
    # an undocumented status
    ("GET", "/dev/v1/projects", 418, "application/json", b'{"message":"teapot"}'),
    # an undocumented media type
    ("GET", "/dev/v1/projects", 201, "text/html", b"<p>"),
    # not JSON at all
    ("POST", "/dev/v1/project_status", 400, "application/json", b"{"),
    # the console's errors are {"message"}, not the REST API's application errors
    ("POST", "/console/api/credentials/delete", 409, "application/json",
     b'{"status":"error","message":"x"}'),
    # a body where the document has none
    ("GET", "/auth/verify", 200, "application/json", b'{"message":"x"}'),
])
def test_a_wrong_response_fails(method, path, status, ctype, body):
    with pytest.raises(Mismatch):
        openapi_check.check(method, path, status, ctype, body)


def test_the_request_helper_checks(shared, monkeypatch):
    seen = []
    real = openapi_check.check

    def spy(*args):
        seen.append(args[:3])
        return real(*args)

    monkeypatch.setattr(openapi_check, "check", spy)
    _, cred = shared.take()
    r = shared.s.request("GET", "/dev/v1/projects", cred=cred)
    assert seen == [("GET", "/dev/v1/projects", r.status)]

    # A response the documents do not describe fails the request itself.
    def strict(method, path, status, ctype, body):
        real(method, path, 418, ctype, body)

    monkeypatch.setattr(openapi_check, "check", strict)
    with pytest.raises(Mismatch):
        shared.s.request("GET", "/dev/v1/projects", cred=cred)
