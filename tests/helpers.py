"""What many tests share: an API client, query-count and query-plan checks,
HTML checks that ignore layout, and a real production server in a subprocess."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.db.models import QuerySet
from django.test.html import Element, parse_html
from django.test.utils import CaptureQueriesContext

from pantry.platform.server import server_command

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Response:
    status: int
    body: Any
    headers: Any


class ApiClient:
    """Django's test client, speaking JSON to /api/v1/."""

    def __init__(self, client: Any):
        self.client = client

    def _call(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        data: Any = None,
        raw: str | bytes | None = None,
        params: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        extra = dict(headers or {})
        if token:
            extra["Authorization"] = f"Bearer {token}"
        url = path if path.startswith("/") else f"/api/v1/{path}"
        kwargs: dict[str, Any] = {"headers": extra}
        if method == "get":
            kwargs["data"] = params
        elif raw is not None:
            kwargs["data"] = raw
            kwargs["content_type"] = "application/json"
        elif data is not None:
            kwargs["data"] = json.dumps(data)
            kwargs["content_type"] = "application/json"
        response = getattr(self.client, method)(url, **kwargs)
        content_type = response.get("Content-Type", "")
        body = (
            json.loads(response.content)
            if content_type.startswith("application/json") and response.content
            else response.content
        )
        return Response(response.status_code, body, response.headers)

    def get(self, path: str, params: Any = None, **kw: Any) -> Response:
        return self._call("get", path, params=params, **kw)

    def post(self, path: str, data: Any = None, **kw: Any) -> Response:
        return self._call("post", path, data=data, **kw)

    def patch(self, path: str, data: Any = None, **kw: Any) -> Response:
        return self._call("patch", path, data=data, **kw)

    def put(self, path: str, data: Any = None, **kw: Any) -> Response:
        return self._call("put", path, data=data, **kw)

    def delete(self, path: str, **kw: Any) -> Response:
        return self._call("delete", path, **kw)


def assert_error(response: Response, status: int, code: str) -> dict[str, Any]:
    """Check the error shape of API.md and return the body."""
    assert response.status == status, (response.status, response.body)
    assert isinstance(response.body, dict), response.body
    assert response.body["error"] == code, response.body
    assert isinstance(response.body["detail"], str)
    assert response.body["detail"]
    return response.body


def html_count(html: str | bytes, snippet: str) -> int:
    """How often ``snippet`` occurs in ``html``, both parsed: indentation,
    line breaks and attribute order do not count, elements and text do."""
    if isinstance(html, bytes):
        html = html.decode()
    document: Element = parse_html(html)
    return document.count(parse_html(snippet))


def assert_in_html(snippet: str, html: str | bytes, count: int | None = None) -> None:
    """``snippet`` (whole elements or text) is in the page, ``count`` times if given."""
    found = html_count(html, snippet)
    if count is None:
        assert found, f"not in the page: {snippet}"
    else:
        assert found == count, f"{snippet} found {found} times, not {count}"


class _Tags(HTMLParser):
    def __init__(self, tag: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tag, self.found = tag, []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == self.tag:
            self.found.append({name: value or "" for name, value in attrs})


def tags(html: str | bytes, tag: str, **attrs: str) -> list[dict[str, str]]:
    """The attributes of every ``<tag>`` carrying ``attrs`` (``class_`` for class),
    for checks on an element whose contents do not matter."""
    if isinstance(html, bytes):
        html = html.decode()
    wanted = {
        name.rstrip("_").replace("_", "-").lower(): value
        for name, value in attrs.items()
    }
    parser = _Tags(tag)
    parser.feed(html)
    parser.close()
    return [
        found
        for found in parser.found
        if all(found.get(name) == value for name, value in wanted.items())
    ]


def count_queries(action: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as queries:
        action()
    return len(queries.captured_queries)


def assert_constant_queries(
    fetch: Callable[[int], Any], sizes: tuple[int, ...] = (1, 100)
) -> int:
    """``fetch(size)`` issues the same number of queries for every size."""
    counts = {size: count_queries(lambda size=size: fetch(size)) for size in sizes}
    assert len(set(counts.values())) == 1, f"query count depends on page size: {counts}"
    return counts[sizes[0]]


def explain(queryset_or_sql: QuerySet[Any] | str, params: Any = None) -> str:
    """EXPLAIN with sequential scans discouraged, as on a big table."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        if isinstance(queryset_or_sql, str):
            cursor.execute("EXPLAIN " + queryset_or_sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        else:
            plan = queryset_or_sql.explain()
        cursor.execute("RESET enable_seqscan")
    return plan


def assert_uses_index(
    queryset_or_sql: QuerySet[Any] | str, index: str, params: Any = None
) -> str:
    plan = explain(queryset_or_sql, params)
    assert index in plan, f"plan does not use {index}:\n{plan}"
    return plan


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def production_server(
    env: dict[str, str],
    *,
    workers: int = 1,
    threads: int = 4,
    own_site_url: bool = False,
) -> Iterator[str]:
    """Serve pantry with granian in a subprocess; yield its base URL.

    ``own_site_url`` sets PANTRY_SITE_URL to that base, for links the server
    builds to itself (the fake payment page and its webhook).
    """
    port = free_port()
    full_env = {**os.environ, **env}
    if own_site_url:
        full_env["PANTRY_SITE_URL"] = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        server_command(port=port, workers=workers, threads=threads),
        env=full_env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2):
                    break
            # OSError covers a refused connection and a read that timed out
            # while the first request was still loading the application.
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    output = process.stdout.read().decode() if process.stdout else ""
                    raise RuntimeError(f"server did not start:\n{output}") from None
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def http(
    method: str,
    url: str,
    *,
    token: str | None = None,
    data: Any = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """One real HTTP request; returns status, parsed JSON (if any) and headers."""
    body = json.dumps(data).encode() if data is not None else None
    request = urllib.request.Request(
        url, data=body, method=method.upper(), headers=dict(headers or {})
    )
    if body is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            raw, status, head = response.read(), response.status, response.headers
    except urllib.error.HTTPError as error:
        raw, status, head = error.read(), error.code, error.headers
    parsed: Any = raw
    if head.get("Content-Type", "").startswith("application/json"):
        parsed = json.loads(raw)
    return Response(status, parsed, head)


def require_tool(path: str | None, *, name: str, install: str) -> str:
    """The path of a tool the test needs; without it, skip, or fail under CI.

    A newcomer's ``make test`` skips with the reason; CI (CI=true) must run
    every test, so a missing tool fails the run there.
    """
    if path and os.path.exists(path):
        return path
    reason = f"{name} is not installed ({install})"
    if os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}:
        pytest.fail(f"{reason}; CI=true needs it", pytrace=False)
    pytest.skip(reason)
