# SPDX-License-Identifier: MIT
"""Fixtures shared by the client's end-to-end tests (see client_helpers.py)."""

import pytest

from client_helpers import PKI, FakeAPI, Restauthd


@pytest.fixture(scope="session")
def pki(tmp_path_factory):
    return PKI(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="session")
def fake(pki):
    f = FakeAPI(pki)
    yield f
    f.stop()


@pytest.fixture(scope="session")
def server(tmp_path_factory, pki):
    """A real restauthd with rate limits off. Accounts are made by the tests."""
    s = Restauthd(tmp_path_factory.mktemp("restauthd"), pki)
    s.start("--rate-limit", "0", "--auth-fail-limit", "0", "--max-projects", "200")
    yield s
    s.stop()
