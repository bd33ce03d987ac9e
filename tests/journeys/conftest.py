"""Journeys against the product as shipped: separate server and worker processes, demo data.

These tests never touch a database themselves (no pytest-django fixture, no `db` mark): they talk
to the running product over HTTP only, with Chromium for pages and `requests` for the API.
Every page a journey opens is read by `checker.problems`; whatever it finds fails the journey.
"""

import os
import threading
import time

import pytest
import requests

from . import checker
from .product import attach, launch, stop

PASSWORD = "Onething@2026"  # README: 演示账号密码均为 Onething@2026
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--lang=zh-CN",
]
DURATIONS: dict[str, float] = {}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/journeys/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.journey)


def pytest_configure(config):
    config.addinivalue_line("markers", "journey: against the shipped product's own processes")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def pytest_terminal_summary(terminalreporter):
    if not DURATIONS:
        return
    terminalreporter.section("journeys: durations (s)")
    for name, seconds in DURATIONS.items():
        terminalreporter.write_line(f"{seconds:8.1f}  {name}")


# The product starts in the background as soon as collection is done, so that its demo load
# (minutes) runs while the rest of the suite does; the first journey waits for it.
LAUNCH: dict = {}


def pytest_collection_finish(session):
    wanted = any("product" in getattr(item, "fixturenames", ()) for item in session.items)
    if wanted and not os.environ.get("ONETHING_JOURNEYS_URL") and "thread" not in LAUNCH:
        LAUNCH["started"] = time.monotonic()
        LAUNCH["thread"] = threading.Thread(target=_launch, name="journeys-product", daemon=True)
        LAUNCH["thread"].start()


def _launch():
    try:
        LAUNCH["product"] = launch()
    except BaseException as exc:  # reported by the fixture, in the first journey that needs it
        LAUNCH["error"] = exc
    LAUNCH["ready"] = time.monotonic()


def pytest_sessionfinish(session):
    if "thread" in LAUNCH:
        LAUNCH["thread"].join()
        if "product" in LAUNCH:
            stop(LAUNCH.pop("product"))


@pytest.fixture(scope="session")
def product():
    if os.environ.get("ONETHING_JOURNEYS_URL"):  # while writing a journey: an already running demo
        return attach(os.environ["ONETHING_JOURNEYS_URL"])
    waited = time.monotonic()
    LAUNCH["thread"].join()
    if "error" in LAUNCH:
        raise LAUNCH["error"]
    shipped = LAUNCH["product"]
    for name, seconds in shipped.timings.items():
        DURATIONS[f"[start] {name}"] = seconds
    DURATIONS["[start] total, in the background"] = LAUNCH["ready"] - LAUNCH["started"]
    DURATIONS["[start] waited for by the first journey"] = time.monotonic() - waited
    print(f"\njourneys: product at {shipped.url}, logs in {shipped.logs}, {shipped.timings}")
    return shipped


# Per module: Playwright's sync API keeps an event loop in this thread while it runs, and Django
# refuses ORM calls from a thread with a running loop; the database tests that follow the
# journeys in the same session must find it closed.
@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


class Visits:
    """Every page load of every context of one journey, read as the person reads it."""

    def __init__(self):
        self.seen: list[tuple[str, str]] = []
        self.errors: list[str] = []

    def hook(self, page):
        page.on("load", lambda: self._read(page))
        page.on("response", self._status)

    def _read(self, page):
        try:
            text = page.evaluate("() => document.title + '\\n' + document.body.innerText")
        except Exception:  # the page navigated on before it could be read; its successor is read
            return
        if (page.url, text) not in self.seen:
            self.seen.append((page.url, text))

    def _status(self, response):
        if (
            response.request.resource_type in ("document", "xhr", "fetch")
            and response.status >= 500
        ):
            self.errors.append(f"HTTP {response.status} at {response.url}")

    def read_now(self, page):
        """htmx swaps content without a load event: read what the person sees now."""
        self._read(page)

    def report(self) -> list[str]:
        out = list(self.errors)
        for url, text in self.seen:
            out += [f"{url}: {p}" for p in checker.problems(text)]
        return list(dict.fromkeys(out))


@pytest.fixture
def visits():
    return Visits()


@pytest.fixture
def journey(request, product, browser, visits):
    """Log in demo accounts as pages (`journey.as_user("demo_clerk")`); checks every page seen."""
    started = time.monotonic()
    contexts = []

    class Journey:
        url = product.url

        def as_user(self, username: str | None, width: int = 1280):
            context = browser.new_context(
                base_url=product.url, locale="zh-CN", viewport={"width": width, "height": 900}
            )
            contexts.append(context)
            page = context.new_page()
            page.set_default_timeout(30000)
            visits.hook(page)
            if username:
                login(page, username)
            return page

        def api(self, username: str) -> requests.Session:
            return api_session(product, username)

        def check_now(self, page):
            visits.read_now(page)

    yield Journey()
    for context in contexts:
        try:
            for page in context.pages:
                visits.read_now(page)
        finally:
            context.close()
    DURATIONS[request.node.name] = time.monotonic() - started
    print(f"\njourney {request.node.name}: {DURATIONS[request.node.name]:.1f} s")
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    if failed:
        print(product.tail())
    found = visits.report()
    if found and not failed:
        pytest.fail("pages showed what a person must not read:\n" + "\n".join(found[:40]))
    elif found:
        print("pages also showed:\n" + "\n".join(found[:40]))


def login(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login" not in url)


def api_session(product, username: str) -> requests.Session:
    """A Bearer token made the way the README says: `onething token create USER`."""
    done = product.cli("token", "create", username, timeout=120)
    assert done.returncode == 0, done.stderr
    token = done.stdout.strip().split()[-1]
    s = requests.Session()
    s.headers["Authorization"] = f"Bearer {token}"
    s.base = product.url
    return s
