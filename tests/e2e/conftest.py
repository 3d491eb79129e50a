# SPDX-License-Identifier: MIT
"""Fixtures for the restauthd end-to-end suite (see e2e_lib.py for the helpers)."""

import pytest

import e2e_lib
from e2e_lib import Server


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory):
    """(cert, key) of one throwaway self-signed certificate for 127.0.0.1."""
    e2e_lib.require_tool("curl")
    e2e_lib.binary()
    return e2e_lib.make_cert(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def make_server(tmp_path, tls_files):
    """Factory for dedicated servers: make_server() returns an initialised, not started
    Server in its own directory. Every started process is stopped (by PID) at teardown."""
    made = []

    def factory(name="srv"):
        s = Server(tmp_path / f"{name}{len(made)}", *tls_files)
        s.init()
        made.append(s)
        return s

    yield factory
    for s in made:
        if s.proc is not None:
            s.stop()


class Shared:
    """A module-wide server with rate limits off and a pool of accounts, one pair each."""

    def __init__(self, server, pool, file_cred):
        self.s = server
        self.pool = pool
        self.file_cred = file_cred  # pair of account "acct0", read from the once-only file

    def take(self):
        """(account name, (id, secret)) not used by any other test."""
        assert self.pool, "account pool exhausted; enlarge POOL in conftest.py"
        return self.pool.pop(0)


POOL = 40


@pytest.fixture(scope="module")
def shared(tmp_path_factory, tls_files):
    s = Server(tmp_path_factory.mktemp("shared"), *tls_files)
    s.init()
    pool = []
    # One account gets its pair through the once-only file, like a Console download.
    s.add_account("acct0")
    file_cred = s.add_secret("acct0", out=s.dir / "key_and_secret.txt")
    for i in range(1, POOL + 1):
        name = f"acct{i}"
        pool.append((name, s.account_with_secret(name)))
    s.start("--rate-limit", "0", "--auth-fail-limit", "0")
    yield Shared(s, pool, file_cred)
    s.stop()
