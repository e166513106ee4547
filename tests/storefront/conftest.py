"""Browser-test fixtures: a real server on the test database holding the demo
data, one headless chromium per module, pages that fail on console errors
(CSP violations included), screenshots and an axe-core accessibility check."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections

from tests.helpers import ROOT, production_server, require_tool

CHROMIUM = os.environ.get("PANTRY_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
ASSETS = Path(__file__).parent / "assets"
SCREENSHOTS = ROOT / "test-output" / "screenshots"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
TIMEOUT_MS = 10_000
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"


@contextmanager
def orm_beside_playwright() -> Iterator[None]:
    """Let this thread use the ORM while Playwright's sync API runs.

    Playwright keeps an event loop in the thread, so Django takes every ORM
    call for one made from async code and refuses it. The calls here are
    plain synchronous fixture work, so lift the guard for their duration
    only: a process-wide setting would leak into subprocesses other tests
    start (``check --deploy`` rightly refuses it).
    """
    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    try:
        yield
    finally:
        # Under a running loop Django keeps connections apart from the
        # thread's usual ones; close them here or they outlive the browser
        # and keep the test database from being dropped.
        connections.close_all()
        if previous is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = previous


@pytest.fixture(autouse=True)
def _orm_beside_playwright(request: Any) -> Iterator[None]:
    # Set up before (and torn down after) ``db``, whose transaction
    # begins and rolls back under Playwright's loop.
    if "browser" not in request.fixturenames:
        yield
        return
    with orm_beside_playwright():
        yield


def database_url() -> str:
    """A URL for the test database that a server subprocess can use."""
    db = connection.settings_dict
    user = quote(db["USER"] or "postgres", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    # A socket directory goes percent-encoded in the host part.
    host = quote(db["HOST"] or "127.0.0.1", safe="")
    return f"postgresql://{user}{password}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


def ensure_posts() -> None:
    """Publish a post about a laptop when the journal has no demo posts."""
    from django.contrib.auth import get_user_model

    from pantry.catalog.models import Product
    from pantry.journal.models import Post
    from pantry.journal.services import create_post

    if Post.objects.exists():
        return
    writer = get_user_model().objects.create_user(
        username="mira", first_name="Mira", last_name="Okafor", is_staff=True
    )
    laptop = Product.objects.filter(tags__contains=["laptop"]).order_by("id").first()
    create_post(
        user=writer,
        title="Choosing a laptop for the kitchen desk",
        body="A **light** laptop with a bright screen keeps recipes in view.\n\n"
        "We tried three and kept the one with the longest battery life.",
        tags=["laptop", "guides"],
        status="published",
        products=[laptop.slug] if laptop else [],
    )


@pytest.fixture(scope="module")
def shop(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    """The demo shop served by a real server on the test database; its base URL.

    The data is committed (the server is another process) and flushed when
    the module ends, so tests elsewhere still start from empty tables.
    """
    # pytest-django creates the test database only when a collected test asks
    # for it (``visitor`` does, through ``db``); never fill and flush any
    # other database.
    assert connection.settings_dict["NAME"].startswith("test_"), (
        "the test database is not set up"
    )
    with django_db_blocker.unblock(), orm_beside_playwright():
        call_command("demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
        ensure_posts()
        url = database_url()
    env = {
        "DATABASE_URL": url,
        "PANTRY_ENV": "test",
        # Never hand the lifted async guard on to the server.
        ASYNC_UNSAFE: "",
        "PANTRY_DB_POOL_MIN_SIZE": "1",
        "PANTRY_LOG_LEVEL": "WARNING",
        # The demo's pictures, written by this process, served by the server.
        "PANTRY_MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    try:
        with production_server(env, threads=4, own_site_url=True) as base:
            yield base
    finally:
        with django_db_blocker.unblock(), orm_beside_playwright():
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Debian chromium per module of browser tests.

    Not per session: Playwright's sync API keeps an event loop in the main
    thread while it runs, and Django refuses ORM calls from any later
    (non-browser) test in the same process until it stops.
    """
    from playwright.sync_api import sync_playwright

    require_tool(CHROMIUM, name="chromium", install="apt-get install -y chromium")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield instance
        finally:
            instance.close()


class Visitor:
    """A browser tab on the shop that records console errors."""

    def __init__(self, page: Any, base: str, width: int):
        self.page = page
        self.base = base
        self.width = width
        self.errors: list[str] = []
        page.on(
            "console",
            lambda message: (
                self.errors.append(f"{message.text} ({message.location['url']})")
                if message.type == "error"
                else None
            ),
        )
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        # Console lines about failed loads omit the URL; keep it alongside.
        self.failed: list[str] = []
        page.on(
            "response",
            lambda response: (
                self.failed.append(f"{response.status} {response.url}")
                if response.status >= 400
                else None
            ),
        )

    def goto(self, path: str) -> Any:
        response = self.page.goto(self.base + path)
        self.page.wait_for_load_state("load")
        return response

    def screenshot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(
            path=str(SCREENSHOTS / f"{name}-{self.width}.png"),
            full_page=True,
            # Hiding the caret injects a <style> the CSP refuses (and htmx
            # then trips over); the caret does not matter in these pictures.
            caret="initial",
        )

    def check_accessibility(self) -> None:
        """Run axe-core in the page; fail on serious or critical violations."""
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            # Evaluated over the DevTools protocol, so the page's CSP (no
            # inline scripts) does not block the test's own tool.
            self.page.evaluate(axe_source())
        result = self.page.evaluate(
            "() => axe.run(document, {resultTypes: ['violations']})"
        )
        serious = [
            f"{violation['id']} ({violation['impact']}): {violation['help']} — "
            + "; ".join(node["target"][0] for node in violation["nodes"][:5])
            for violation in result["violations"]
            if violation["impact"] in {"serious", "critical"}
        ]
        assert not serious, f"{self.page.url}:\n" + "\n".join(serious)


def axe_source() -> str:
    # axe.min.js defines `axe` and attaches it to window in a browser.
    return (ASSETS / "axe.min.js").read_text() + "\n;window.axe = axe;"


@pytest.fixture(params=[DESKTOP, PHONE], ids=["desktop", "phone"])
def visitor(request: Any, browser: Any, shop: str, db: None) -> Iterator[Visitor]:
    """A fresh visitor (own cookies) at desktop and at 375-px phone width.

    ``db`` makes pytest-django set up the test database; the test's own
    transaction is rolled back and leaves the module's demo data alone.
    """
    context = browser.new_context(viewport=request.param)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    tab = Visitor(page, shop, request.param["width"])
    try:
        yield tab
    finally:
        context.close()
    assert not tab.errors, f"browser console errors: {tab.errors} {tab.failed}"
