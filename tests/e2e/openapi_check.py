# SPDX-License-Identifier: MIT
"""Every live response of the REST API and of the console API checked against the OpenAPI
documents (docs/openapi.yaml, docs/console-openapi.yaml): the operation is found by method
and path (a path item with `x-restauth-prefix: true` takes every path below it), the status
must be documented for it (or in the document's `x-restauth-any-path`), the media type must be
one the response lists, and a JSON body must match its schema (JSON Schema 2020-12, the
dialect of OpenAPI 3.1). Uses python3-yaml and python3-jsonschema (Debian)."""

import json
from pathlib import Path

import jsonschema
import yaml

DOCS = Path(__file__).resolve().parents[2] / "docs"


class Mismatch(AssertionError):
    """A live response that the documents do not describe."""


def _resolve(node, root, seen=()):
    """node with every local $ref replaced by what it names (the documents have no cycles)."""
    if isinstance(node, dict):
        if "$ref" in node:
            ref = node["$ref"]
            assert ref.startswith("#/") and ref not in seen, ref
            target = root
            for part in ref[2:].split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            return _resolve(target, root, seen + (ref,))
        return {k: _resolve(v, root, seen) for k, v in node.items()}
    if isinstance(node, list):
        return [_resolve(v, root, seen) for v in node]
    return node


class Document:
    def __init__(self, path):
        raw = yaml.safe_load(Path(path).read_text("utf-8"))
        self.name = Path(path).name
        self.doc = _resolve(raw, raw)
        self.any_path = self.doc.get("x-restauth-any-path", {})

    def path_item(self, path):
        """The path item of a request path: exact, else the longest prefix item."""
        paths = self.doc["paths"]
        if path in paths:
            return path, paths[path]
        best = None
        for p, item in paths.items():
            if item.get("x-restauth-prefix") and (path == p or path.startswith(p.rstrip("/") + "/")):
                if best is None or len(p) > len(best[0]):
                    best = (p, item)
        return best if best is not None else (None, None)


_DOCS = {}


def _document(path):
    key = "console" if path == "/console" or path.startswith("/console/") else "rest"
    if key not in _DOCS:
        _DOCS[key] = Document(DOCS / ("console-openapi.yaml" if key == "console" else "openapi.yaml"))
    return _DOCS[key]


def _normalise(target):
    path = target.split("?", 1)[0].split("#", 1)[0]
    if "://" in path:  # absolute form
        path = "/" + path.split("://", 1)[1].partition("/")[2]
    if len(path) > 1 and path.endswith("/") and not path.startswith("/auth/verify"):
        path = path[:-1]
    return path


def response_spec(method, target, status):
    """(document, operation label, the documented response) for a live status, or raises
    Mismatch."""
    doc = _document(_normalise(target))
    path = _normalise(target)
    template, item = doc.path_item(path)
    op = (item or {}).get(method.lower())
    if op is None and method.upper() == "HEAD":  # every GET route answers HEAD
        op = (item or {}).get("get")
    label = f"{method} {template or path} ({doc.name})"
    responses = op["responses"] if op is not None else {}
    spec = responses.get(str(status)) or doc.any_path.get(str(status))
    if spec is None:
        raise Mismatch(f"{label}: status {status} is not documented")
    return doc, label, spec


def check(method, target, status, content_type, body):
    """Raise Mismatch unless the response is what the documents say."""
    _doc, label, spec = response_spec(method, target, status)
    content = spec.get("content")
    media = (content_type or "").split(";")[0].strip().lower()
    if not content:
        if body and method.upper() != "HEAD":
            raise Mismatch(f"{label} {status}: a body where none is documented: {body[:200]!r}")
        return
    if method.upper() == "HEAD":
        return
    if media not in content:
        raise Mismatch(f"{label} {status}: media type {media!r} is not documented "
                       f"(documented: {sorted(content)})")
    if media != "application/json":
        return
    try:
        value = json.loads(body.decode("utf-8"))
    except ValueError as e:
        raise Mismatch(f"{label} {status}: the body is not JSON ({e}): {body[:200]!r}") from None
    schema = content[media].get("schema", {})
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(value), key=str)
    if errors:
        raise Mismatch(f"{label} {status}: the body does not match the schema: "
                       f"{errors[0].message} at {list(errors[0].absolute_path)}; "
                       f"body {body[:300]!r}")
