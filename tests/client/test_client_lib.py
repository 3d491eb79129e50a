# SPDX-License-Identifier: MIT
"""librestauth end to end against a real restauthd over TLS: every library call (lib_e2e.c,
under valgrind or AddressSanitizer), and the list_projects example."""

import re

from client_helpers import clean_env, need_path, run, prog_path


def lib_env(server, pki, cred_file, other):
    return clean_env(RESTAUTH_BASE_URL=server.url, RESTAUTH_CA_FILE=pki.ca,
                     RA_CRED_FILE=cred_file, RESTAUTH_CUSTOMER_ID=other[0],
                     RESTAUTH_CUSTOMER_SECRET=other[1])


def test_every_library_call(server, pki):
    path, cred = server.account("lib")
    _, other = server.account("lib-other")
    cp = run([prog_path("lib_e2e")], lib_env(server, pki, path, other), timeout=240,
             check_leaks=True)
    assert cp.returncode == 0, f"lib_e2e failed ({cp.returncode}):\n{cp.stdout}\n{cp.stderr}"
    assert "not ok" not in cp.stdout
    assert re.search(r"\d+ checks, 0 failed", cp.stdout), cp.stdout
    for name in ("test_lifecycle", "test_get", "test_updates", "test_delete", "test_raw",
                 "test_credentials_sources", "test_tls", "test_threads"):
        assert f"ok {name}" in cp.stdout
    # The library never prints: nothing but the harness's own lines.
    assert cred[1] not in cp.stdout + cp.stderr


def test_list_projects_example(server, pki):
    path, cred = server.account("example")
    server.cli("account", "list")
    env = clean_env(RESTAUTH_BASE_URL=server.url, RESTAUTH_CA_FILE=pki.ca,
                    RESTAUTH_CUSTOMER_ID=cred[0], RESTAUTH_CUSTOMER_SECRET=cred[1])
    example = need_path("RA_LIST_PROJECTS")
    cp = run([example], env, check_leaks=True)
    assert cp.returncode == 0, cp.stderr
    assert cp.stdout == "0 project(s)\n"
    cli = need_path("RESTAUTH_CLI")
    made = run([cli, "--credentials", path, "project", "create", "ex-1"], env)
    assert made.returncode == 0, made.stderr
    cp = run([example], env)
    assert cp.returncode == 0, cp.stderr
    lines = cp.stdout.splitlines()
    assert lines[0] == "1 project(s)"
    assert re.fullmatch(r"\S+\tex-1\tapp id [0-9a-f]{32}\tenabled", lines[1]), lines


def test_example_reports_errors(server, pki):
    example = need_path("RA_LIST_PROJECTS")
    env = clean_env(RESTAUTH_BASE_URL=server.url, RESTAUTH_CA_FILE=pki.ca)
    cp = run([example], env)
    assert cp.returncode == 1 and cp.stdout == ""
    assert "no credentials" in cp.stderr and "RESTAUTH_CUSTOMER_ID" in cp.stderr
    env.update(RESTAUTH_CUSTOMER_ID="someone", RESTAUTH_CUSTOMER_SECRET="not-the-secret")
    cp = run([example], env)
    assert cp.returncode == 1
    assert "authentication failed" in cp.stderr and "HTTP 401" in cp.stderr
    assert "not-the-secret" not in cp.stderr
