# SPDX-License-Identifier: MIT
"""`cmake --install` of the client: libraries, headers, pkg-config file and man pages land in
the prefix, an application builds against them (shared and static), the shared library
exports exactly the public API, and the headers stand alone in C and C++."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from client_helpers import clean_env, need_path

PUBLIC_HEADERS = ["restauth.h", "ra_client.h", "ra_credential.h", "ra_error.h", "ra_project.h",
                  "ra_version.h"]


def sh(argv, env=None, cwd=None):
    cp = subprocess.run([str(a) for a in argv], env=env or clean_env(), cwd=cwd,
                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=300)
    assert cp.returncode == 0, f"{' '.join(map(str, argv))} failed:\n{cp.stdout}\n{cp.stderr}"
    return cp.stdout


def sanitize_flags():
    return ["-fsanitize=address,undefined"] if os.environ.get("RA_SANITIZE") == "1" else []


@pytest.fixture(scope="module")
def prefix(tmp_path_factory):
    dest = tmp_path_factory.mktemp("prefix")
    sh(["cmake", "--install", need_path("RA_BUILD_DIR"), "--prefix", dest])
    return dest


def libdir(prefix):
    (pc,) = list(prefix.glob("lib*/**/pkgconfig/restauth.pc"))
    return pc.parent.parent


def pc_env(prefix):
    return clean_env(PKG_CONFIG_PATH=libdir(prefix) / "pkgconfig")


def test_files_installed(prefix):
    lib = libdir(prefix)
    for rel in ["bin/restauth", "share/man/man1/restauth.1", "share/man/man3/librestauth.3",
                "share/doc/restauth/examples/list_projects.c"] + \
               [f"include/restauth/{h}" for h in PUBLIC_HEADERS]:
        assert (prefix / rel).is_file(), rel
    assert (lib / "librestauth.a").is_file()
    assert (lib / "librestauth.so").is_symlink()
    assert (lib / "librestauth.so.0").resolve() == (lib / "librestauth.so.0.1.0").resolve()
    # Only public headers are installed.
    assert sorted(p.name for p in (prefix / "include/restauth").iterdir()) == \
        sorted(PUBLIC_HEADERS)
    # The CLI needs no rpath: it carries the library statically.
    assert "librestauth" not in sh(["ldd", prefix / "bin/restauth"])
    assert sh([prefix / "bin/restauth", "--version"]).startswith("restauth 0.1.0")


def test_pkg_config(prefix):
    env = pc_env(prefix)
    assert sh(["pkg-config", "--modversion", "restauth"], env).strip() == "0.1.0"
    cflags = sh(["pkg-config", "--cflags", "restauth"], env).split()
    incs = [Path(f[2:]).resolve() for f in cflags if f.startswith("-I")]
    assert (prefix / "include").resolve() in incs
    libs = sh(["pkg-config", "--libs", "restauth"], env).split()
    assert "-lrestauth" in libs
    assert libdir(prefix).resolve() in [Path(f[2:]).resolve() for f in libs
                                        if f.startswith("-L")]
    static = sh(["pkg-config", "--static", "--libs", "restauth"], env).split()
    for lib in ("-lcurl", "-ljansson", "-lsodium"):
        assert lib in static


def build_example(prefix, out, static):
    env = pc_env(prefix)
    cflags = sh(["pkg-config", "--cflags", "restauth"], env).split()
    if static:
        # librestauth.a itself, with its direct dependencies as the system's shared libraries.
        deps = sh(["pkg-config", "--libs", "libcurl", "jansson", "libsodium"], env).split()
        libs = [str(libdir(prefix) / "librestauth.a"), *deps]
    else:
        libs = sh(["pkg-config", "--libs", "restauth"], env).split()
    src = Path(need_path("RA_SOURCE_DIR")) / "examples/list_projects.c"
    sh(["cc", "-std=c11", "-Wall", "-Wextra", "-Werror", *sanitize_flags(), *cflags, src,
        "-o", out, *libs])
    return out


@pytest.mark.parametrize("static", [False, True], ids=["shared", "static"])
def test_application_builds_and_runs(prefix, tmp_path, static):
    exe = build_example(prefix, tmp_path / "list_projects", static)
    env = clean_env(LD_LIBRARY_PATH=libdir(prefix))
    linked = sh(["ldd", exe], env)
    if static:
        assert "librestauth" not in linked
    else:
        assert str(libdir(prefix)) in linked
    cp = subprocess.run([exe], env=env, capture_output=True, text=True, timeout=60)
    assert cp.returncode == 1 and "RESTAUTH_CUSTOMER_ID" in cp.stderr, cp


def test_exports_are_the_public_api(prefix):
    declared = set()
    for h in PUBLIC_HEADERS:
        text = (prefix / "include/restauth" / h).read_text()
        declared |= set(re.findall(r"RA_EXTERN\s[^;]*?\b(ra_\w+)\s*\(", text))
    assert len(declared) >= 39
    so = libdir(prefix) / "librestauth.so"
    out = sh(["nm", "-D", "--defined-only", so])
    exported = {line.split()[-1] for line in out.splitlines()
                if line.split()[-2] in ("T", "W", "D", "B", "R")}
    exported = {s for s in exported if not s.startswith("_")}
    assert exported == declared
    assert "SONAME" in sh(["objdump", "-p", so]) and "librestauth.so.0" in sh(["objdump", "-p",
                                                                               so])


def test_headers_stand_alone(prefix, tmp_path):
    inc = prefix / "include"
    for h in PUBLIC_HEADERS:
        src = tmp_path / f"{h}.c"
        src.write_text(f"#include <restauth/{h}>\nint ra_test_dummy;\n")
        sh(["cc", "-std=c11", "-pedantic", "-Wall", "-Wextra", "-Werror", "-I", inc,
            "-fsyntax-only", src])
    if shutil.which("c++"):
        src = tmp_path / "all.cpp"
        src.write_text("#include <restauth/restauth.h>\n"
                       "int main() { return ra_global_init() == RA_OK ? 0 : 1; }\n")
        sh(["c++", "-std=c++11", "-Wall", "-Wextra", "-Werror", "-I", inc, "-fsyntax-only",
            src])


def test_man_pages(prefix):
    if shutil.which("groff") is None:
        pytest.fail("groff is needed to check the man pages")
    pages = {"man1/restauth.1": ["projects", "project create", "signkey", "recording-server",
                                 "credentials list", "call", "EXIT STATUS", "RESTAUTH_CA_FILE"],
             "man3/librestauth.3": []}
    header = (prefix / "include/restauth").glob("*.h")
    functions = set()
    for h in header:
        functions |= set(re.findall(r"RA_EXTERN\s[^;]*?\b(ra_\w+)\s*\(", h.read_text()))
    pages["man3/librestauth.3"] = sorted(functions)
    for page, words in pages.items():
        path = prefix / "share/man" / page
        cp = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", path], capture_output=True,
                            text=True, timeout=60)
        assert cp.returncode == 0 and cp.stderr == "", f"{page}: {cp.stderr}"
        text = path.read_text().replace("\\-", "-")
        for w in words:
            assert w in text, f"{page} does not mention {w}"
    for code in range(8):
        assert re.search(rf"^\.B {code}$", (prefix / "share/man/man1/restauth.1").read_text(),
                         re.M), f"exit status {code} undocumented"
