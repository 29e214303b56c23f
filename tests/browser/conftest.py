"""Browser tests: the real app on a live server, driven by Chromium through Playwright.

Chromium is Debian's (`apt-get install chromium`), found through `CHROMIUM_PATH` or at
/usr/bin/chromium; without either, Playwright's own browser is used (a contributor's laptop).
When no browser can start, the tests are skipped — unless `REQUIRE_BROWSER=1` (CI), which turns
that into a failure.

Each test gets its own app on a fresh SQLite file with CSRF **on** (as in production; rate
limits off), served by werkzeug in a background thread, and a fresh browser context and page.
The browser itself is shared by the session. The page fixture records console errors, uncaught
script errors, failed requests and dialogs; a test fails if a page broke the Content Security
Policy, threw, answered 5xx, tried to reach another host or opened a dialog.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from tests.conftest import make_test_config
from tests.factories import DEFAULT_PASSWORD, make_notification, make_user

REQUIRE_BROWSER = os.environ.get("REQUIRE_BROWSER") == "1"
if REQUIRE_BROWSER:
    import playwright.sync_api  # noqa: F401 — without it, REQUIRE_BROWSER=1 fails right here
DEBIAN_CHROMIUM = "/usr/bin/chromium"
# Without the networking flags Chromium keeps trying to reach the internet (DESIGN.md).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
EXPECT_TIMEOUT_MS = 10_000  # generous for a loaded CI machine; passing tests never wait it out


def _browser_unavailable(reason: str):
    if REQUIRE_BROWSER:
        pytest.fail(f"REQUIRE_BROWSER=1 but no browser can run: {reason}", pytrace=False)
    pytest.skip(f"no browser for the browser tests: {reason}")


def chromium_executable() -> str | None:
    """CHROMIUM_PATH, else Debian's Chromium, else None (Playwright's bundled browser)."""
    if os.environ.get("CHROMIUM_PATH"):
        return os.environ["CHROMIUM_PATH"]
    if Path(DEBIAN_CHROMIUM).exists():
        return DEBIAN_CHROMIUM
    return None


# --- the browser ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole session."""
    try:
        from playwright.sync_api import Error, expect, sync_playwright
    except ImportError as err:
        _browser_unavailable(f"the playwright package is not installed ({err})")
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)
    executable = chromium_executable()
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
    except Error as err:
        playwright.stop()
        where = executable or "Playwright's bundled Chromium"
        _browser_unavailable(f"{where} did not start: {str(err).splitlines()[0]}")
    try:
        yield browser
    finally:
        browser.close()
        playwright.stop()


# --- the live server --------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """What a test needs to know about a user row (no ORM object crosses threads)."""

    id: int
    email: str
    handle: str
    display_name: str
    password: str = DEFAULT_PASSWORD


@dataclass
class LiveServer:
    app: Flask
    url: str

    def create_user(self, **overrides) -> Person:
        """A committed user, made by `make_user` in the test thread's own app context."""
        password = overrides.get("password", DEFAULT_PASSWORD)
        with self.app.app_context():
            user = make_user(**overrides)
            return Person(id=user.id, email=user.email, handle=user.handle,
                          display_name=user.display_name, password=password)

    def create_notification(self, person: Person, **overrides) -> int:
        from app.accounts.models import User

        with self.app.app_context():
            note = make_notification(db.session.get(User, person.id), **overrides)
            return note.id


@pytest.fixture
def live_app(tmp_path_factory) -> Iterator[Flask]:
    """The real app on its own SQLite file, CSRF on, tables created."""
    instance = tmp_path_factory.mktemp("live")
    app = create_app(make_test_config({"name": "sqlite"}, instance, WTF_CSRF_ENABLED=True))
    with app.app_context():
        db.create_all()
    try:
        yield app
    finally:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def live_server(live_app) -> Iterator[LiveServer]:
    """`live_app` served over HTTP on a free port; every request runs in its own thread and
    its own app context, so it never shares a database session with the test."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app=live_app, url=f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# --- pages and what they report ---------------------------------------------------------------


@dataclass
class BrowserLog:
    """What the browser reported while a test ran."""

    origin: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)
    offsite_requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def csp_violations(self) -> list[str]:
        return [m for m in self.console_errors if "Content Security Policy" in m]

    def problems(self) -> list[str]:
        found = []
        for label, entries in [
            ("Content Security Policy violations (does a page rely on inline script or "
             "style?)", self.csp_violations()),
            ("uncaught script errors", self.page_errors),
            ("server errors", self.server_errors),
            ("requests to another host (pages must load nothing from elsewhere)",
             self.offsite_requests),
            # An aborted request is normal (a navigation or a newer htmx request replaced it).
            ("failed requests", [f for f in self.failed_requests if "ERR_ABORTED" not in f]),
            ("dialogs (alert/confirm/prompt)", self.dialogs),
        ]:
            if entries:
                found.append(f"{label}:\n    " + "\n    ".join(entries))
        return found

    def watch(self, context) -> None:
        context.on("console", self._on_console)
        context.on("weberror", lambda err: self.page_errors.append(str(err.error)))
        context.on("request", self._on_request)
        context.on("requestfailed", lambda req: self.failed_requests.append(
            f"{req.method} {req.url}: {req.failure}"))
        context.on("response", self._on_response)
        context.on("dialog", self._on_dialog)

    def _on_console(self, message) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def _on_request(self, request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in {"http", "https", "ws", "wss"} and (
            f"{parts.scheme}://{parts.netloc}" != self.origin
        ):
            self.offsite_requests.append(f"{request.method} {request.url}")

    def _on_response(self, response) -> None:
        if response.status >= 500:
            self.server_errors.append(f"{response.status} {response.request.method} "
                                      f"{response.url}")

    def _on_dialog(self, dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()


@pytest.fixture
def context_options() -> dict:
    """Extra `browser.new_context` options; a test may parametrize this name to change them."""
    return {}


@pytest.fixture
def browser_context(browser, live_server, context_options):
    """A fresh context (cookies, storage) per test, with its base URL set to the live server."""
    context = browser.new_context(base_url=live_server.url, **context_options)
    context.set_default_timeout(EXPECT_TIMEOUT_MS)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def browser_log(browser_context, live_server) -> BrowserLog:
    log = BrowserLog(origin=live_server.url)
    log.watch(browser_context)
    return log


@pytest.fixture
def page(browser_context, browser_log):
    page = browser_context.new_page()
    yield page
    problems = browser_log.problems()
    if problems:
        pytest.fail("the browser reported:\n  " + "\n  ".join(problems), pytrace=False)


@pytest.fixture
def log_in(page) -> Callable[..., None]:
    """Log in through the login form, as a person would."""
    from playwright.sync_api import expect

    def log_in(person: Person, *, remember: bool = False) -> None:
        page.goto("/login")
        page.get_by_label("Email").fill(person.email)
        page.get_by_label("Password").fill(person.password)
        if remember:
            page.get_by_label("Remember me").check()
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_text(f"Welcome back, {person.display_name}.")).to_be_visible()

    return log_in
