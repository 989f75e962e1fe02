"""Helpers for the browser tests of the app: serve app.py, open it in headless Chromium, act on it.

The server runs ``python -m solara run app.py --production`` on a free local port; the browser is
Debian's ``chromium`` driven by Playwright (never a downloaded browser build). Screenshots go to
``artifacts/screenshots/`` (ignored by git).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
CHROMIUM = os.environ.get("MAGNETDIPLOMACY_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-dev-shm-usage",
]
VIEWPORT = {"width": 1366, "height": 768}


def chromium_available() -> bool:
    return Path(CHROMIUM).exists()


def require_chromium():
    """Playwright's sync API for a browser test module, or skip the module without Chromium.

    In CI a missing Chromium is an error, not a skip: CI must install Debian's ``chromium``.
    """
    import pytest

    if not chromium_available():
        if os.environ.get("CI"):
            raise RuntimeError(f"Chromium not found at {CHROMIUM}: CI must install Debian's chromium package")
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)
    return pytest.importorskip("playwright.sync_api")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serve_app(log_name: str):
    """The app served for a test module, its server log in ``artifacts/<log_name>``."""
    ARTIFACTS.mkdir(exist_ok=True)
    app = Server(ROOT / "app.py", log=ARTIFACTS / log_name).start()
    try:
        yield app
    finally:
        app.stop()


CLASSROOM_DB_VAR = "MAGNETDIPLOMACY_CLASSROOM_DB"
CLASSROOM_VIEWPORT = {"width": 1366, "height": 900}  # the classroom's reviews were made at this size


@contextlib.contextmanager
def serve_classroom(db: Path, log_name: str):
    """``classroom.py`` served with its database at ``db`` (also set for this process, so a test can
    open classes on the same database), its log in ``artifacts/<log_name>``."""
    ARTIFACTS.mkdir(exist_ok=True)
    old = os.environ.get(CLASSROOM_DB_VAR)
    os.environ[CLASSROOM_DB_VAR] = str(db)
    server = Server(ROOT / "classroom.py", log=ARTIFACTS / log_name).start()
    server.db = db
    try:
        yield server
    finally:
        server.stop()
        if old is None:
            os.environ.pop(CLASSROOM_DB_VAR, None)
        else:
            os.environ[CLASSROOM_DB_VAR] = old


def new_page(browser, timeout_ms: float = 30_000, viewport: dict | None = None):
    """A page in a browser context of its own (its own cookies, as on another computer), at the
    classroom's size unless ``viewport`` says otherwise."""
    context = browser.new_context(viewport=viewport or CLASSROOM_VIEWPORT, accept_downloads=True)
    context.set_default_timeout(timeout_ms)
    return context.new_page()


class Server:
    """A Solara server for one app file, started in the background and stopped by :meth:`stop`."""

    def __init__(
        self, app: Path | str, port: int | None = None, log: Path | None = None, cwd: Path | None = None
    ) -> None:
        self.app = str(app)
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log_path = log
        self.cwd = cwd or ROOT
        self.process: subprocess.Popen | None = None
        self.db: Path | None = None  # a classroom's database, when it serves one

    def start(self, timeout: float = 90.0) -> Server:
        env = {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False", "PYTHONUNBUFFERED": "1"}
        out = open(self.log_path, "w") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "solara",
                "run",
                self.app,
                "--port",
                str(self.port),
                "--host",
                "127.0.0.1",
                "--production",
            ],
            cwd=self.cwd,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"server for {self.app} exited with code {self.process.returncode} (log: {self.log_path})"
                )
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(self.url, timeout=2) as response:
                    if response.status == 200:
                        return self
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"server for {self.app} did not answer within {timeout:.0f} s (log: {self.log_path})")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(400)  # let tab and menu transitions finish
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


# ---- acting on the page (Playwright sync API) -------------------------------------------------


def open_app(context, url: str, timeout: float = 60_000):
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector(".md-chart svg", timeout=timeout)
    page.wait_for_selector(".md-status", timeout=timeout)
    return page


def tick(page) -> int:
    return int(page.locator(".md-status").get_attribute("data-tick"))


def month(page) -> str:
    return page.locator(".md-status").get_attribute("data-month")


def step(page, months: int = 1, timeout: float = 20_000) -> int:
    """Click Step ``months`` times, each time waiting until the page shows the next month."""
    for _ in range(months):
        before = tick(page)
        page.locator(".md-step").click()
        page.wait_for_function(
            "n => Number(document.querySelector('.md-status').dataset.tick) > n", arg=before, timeout=timeout
        )
    return tick(page)


def chart_values(page, key: str) -> dict:
    return json.loads(page.locator(f".md-chart-inner[data-chart='{key}']").get_attribute("data-values"))


def chart_svg(page, key: str) -> str:
    return page.locator(f".md-chart-inner[data-chart='{key}'] svg").evaluate("e => e.outerHTML")


def choose(page, css_class: str, option: str) -> None:
    """Pick ``option`` in the drop-down with class ``css_class`` (and wait for the menu to close)."""
    page.locator(f".{css_class}").click()
    page.get_by_role("option", name=option, exact=True).click()
    page.locator(".menuable__content__active").wait_for(state="hidden")
    page.wait_for_function(
        "([cls, text]) => document.querySelector('.' + cls).innerText.includes(text)", arg=[css_class, option[:20]]
    )


def fire(page, label: str) -> str:
    """Choose a live intervention, fire it and return the confirmation shown."""
    choose(page, "md-action", label)
    page.locator(".md-fire").click()
    # the server confirms once the step in progress has finished: slow on a busy machine (one click
    # only, since a second would queue the intervention twice)
    page.wait_for_function(
        "text => (document.querySelector('.md-feedback') || {}).innerText?.startsWith(text)", arg=label, timeout=90_000
    )
    return page.inner_text(".md-feedback")


def open_tab(page, name: str) -> None:
    page.get_by_role("tab", name=name).click()


def log_rows(page) -> list[str]:
    open_tab(page, "Event log")
    page.wait_for_selector(".md-log")
    return page.locator(".md-log tbody tr").all_inner_texts()
