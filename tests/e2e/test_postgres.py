# SPDX-License-Identifier: MIT
"""restauthd on PostgreSQL: a throwaway PostgreSQL 15 (tests/pg/pg-server.sh) serves as the
store of the CLI and of two servers at once, over TLS."""

import os
import secrets
import subprocess
from pathlib import Path

import pytest

from e2e_lib import REPO, Server, project_list

PG_SERVER = REPO / "tests" / "pg" / "pg-server.sh"


@pytest.fixture(scope="module")
def pg_uri():
    """The URI of a PostgreSQL server started for this module and removed after it. Its
    directory is made by the script (the postgres user must be able to reach it)."""
    directory = Path(f"/tmp/ra-e2e-pg-{os.getpid()}-{secrets.token_hex(4)}")
    cp = subprocess.run([str(PG_SERVER), "start", str(directory)], capture_output=True,
                        text=True, timeout=120)
    if cp.returncode != 0:
        subprocess.run([str(PG_SERVER), "stop", str(directory)], timeout=120)
        pytest.fail(f"cannot start PostgreSQL: {cp.stderr}")
    yield cp.stdout.strip()
    subprocess.run([str(PG_SERVER), "stop", str(directory)], check=True, timeout=120)


class PgServer(Server):
    """A Server whose store is a PostgreSQL database, with its key file beside it."""

    def __init__(self, directory, cert, key, uri):
        super().__init__(directory, cert, key)
        self.store = uri
        self.key_file = self.dir / "server.key"

    def cli(self, *args, store=True, **kw):
        if store:
            args = (*args, "--key-file", str(self.key_file))
        return super().cli(*args, store=store, **kw)

    def serve_argv(self, *extra, **kw):
        return super().serve_argv("--key-file", str(self.key_file), *extra, **kw)


def test_cli_and_two_servers_share_postgresql(pg_uri, tmp_path, tls_files):
    password = pg_uri.split("://", 1)[1].split("@", 1)[0].split(":", 1)[1]
    a = PgServer(tmp_path / "a", *tls_files, pg_uri)
    a.init()
    assert a.key_file.stat().st_size == 32
    a.add_account("alice")
    cred = a.add_secret("alice")
    cp = a.cli("account", "list", check=True)
    assert "\talice\t" in cp.stdout
    cp = a.cli("secret", "list", "--account", "alice", check=True)
    assert cred[0] in cp.stdout

    # A second server on the same database, with the same key, is another node.
    b = PgServer(tmp_path / "b", *tls_files, pg_uri)
    b.key_file = a.key_file
    a.start("--rate-limit", "0")
    b.start("--rate-limit", "0")
    try:
        assert project_list(a.request("GET", "/dev/v1/projects", cred=cred)) == []
        made = a.create(cred, "shared-project")
        seen = project_list(b.request("GET", "/dev/v1/projects", cred=cred))
        assert [p["id"] for p in seen] == [made["id"]]
        assert seen[0]["name"] == "shared-project"
        wrong = (cred[0], "0" * 32)
        assert b.request("GET", "/dev/v1/projects", cred=wrong).status == 401
    finally:
        assert a.stop() == 0
        assert b.stop() == 0
    for s in (a, b):
        assert password not in s.stderr_text(), "the store URI was logged"


def test_unreachable_postgresql_is_reported(tmp_path, tls_files):
    s = PgServer(tmp_path / "down", *tls_files,
                 "postgresql://nobody:Pw-Not-Logged-9@127.0.0.1:9/none?connect_timeout=2")
    cp = s.cli("init")
    assert cp.returncode != 0
    assert "cannot connect to PostgreSQL (host 127.0.0.1 port 9 database none)" in cp.stderr
