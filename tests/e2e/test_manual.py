# SPDX-License-Identifier: MIT
"""docs/man/restauthd.8 and dist/restauthd.conf against the binary's own tables, as its
--help shows them: the page documents every command and every option and nothing else, and
the example configuration names every server option once."""

import re
import subprocess
from pathlib import Path

from e2e_lib import binary

ROOT = Path(__file__).resolve().parents[2]


def help_text(*words):
    cp = subprocess.run([binary(), *words, "--help"], capture_output=True, text=True, timeout=30)
    assert cp.returncode == 0, cp.stderr
    return cp.stdout


def commands():
    """The commands `restauthd --help` lists (words and arguments dropped)."""
    text = help_text().split("commands:\n", 1)[1].split("options of every command:", 1)[0]
    found = []
    for line in text.splitlines():
        words = [w for w in line.split("  ")[1].split() if w.islower() or "-" in w]
        found.append(" ".join(w for w in words if not w.isupper()))
    return found


def options_of(words):
    return {line.split()[0].split("[")[0] for line in help_text(*words.split()).splitlines()
            if line.startswith("  --")}


def page_entries(page):
    """(commands, options) the page documents: its .TP entries' first lines."""
    cmds, opts = set(), set()
    lines = page.splitlines()
    for i, line in enumerate(lines[:-1]):
        if line != ".TP":
            continue
        head = lines[i + 1].replace("\\-", "-").replace("\\fB", "").replace("\\fR", "")
        head = head.replace("\\fI", "")
        m = re.match(r"restauthd ([a-z -]+?)(?: [A-Z]+)? \[options\]$", head)
        if m:
            cmds.add(m.group(1))
        m = re.match(r"(--[a-z-]+)", head)
        if m:
            opts.add(m.group(1))
    return cmds, opts


def test_manual_matches_tables():
    page = (ROOT / "docs/man/restauthd.8").read_text()
    cmds = commands()
    assert "serve" in cmds and "check-config" in cmds and "secret delete" in cmds
    every_option = set()
    for words in cmds:
        every_option |= options_of(words)
    page_cmds, page_opts = page_entries(page)
    assert page_cmds == set(cmds), (set(cmds) ^ page_cmds)
    assert page_opts == every_option, (every_option ^ page_opts)


def test_example_config_names_every_server_option():
    text = (ROOT / "dist/restauthd.conf").read_text()
    named = re.findall(r"^#?([a-z][a-z-]*) = ", text, re.M)
    server = {o[2:] for o in options_of("check-config")} - {"help", "config"}
    assert set(named) == server, set(named) ^ server
    assert len(named) == len(set(named))
    # It is a valid file for serve, and check-config reads it without complaint.
    cp = subprocess.run([binary(), "check-config", "--config", ROOT / "dist/restauthd.conf",
                         "--user", "root"], capture_output=True, text=True, timeout=30)
    assert cp.returncode == 0, cp.stderr
    assert "sqlite:/var/lib/restauth/restauth.db" in cp.stdout
