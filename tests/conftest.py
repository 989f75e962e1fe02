"""Shared fixtures: runs are cached per session so each scenario is simulated once."""

from __future__ import annotations

import functools

import pytest

from magnetdiplomacy import run


@functools.cache
def cached_run(scenario: str = "baseline", **overrides):
    """Run a scenario once per test session (overrides as dotted-path keyword pairs)."""
    return run(scenario, overrides={k.replace("__", "."): v for k, v in overrides.items()} or None)


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium for a browser test module (the module calls ``require_chromium`` first,
    so it is skipped, or fails in CI, before this is used without Chromium)."""
    from playwright.sync_api import sync_playwright

    from app_helpers import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser):
    """A fresh 1366x768 browser context for one app test (downloads allowed, 30 s timeouts)."""
    from app_helpers import VIEWPORT

    ctx = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    ctx.set_default_timeout(30_000)
    yield ctx
    ctx.close()


@pytest.fixture(scope="session")
def baseline():
    return cached_run("baseline")


def window(df, start: str, end: str):
    """Rows of a time series between two dates (inclusive)."""
    return df[(df["date"] >= start) & (df["date"] <= end)]


@pytest.fixture
def db(tmp_path):
    """Where a classroom test keeps its database."""
    return tmp_path / "classroom.sqlite"


@pytest.fixture
def room(db):
    """A classroom on a fresh database, without its timers (tests move the clock themselves)."""
    from magnetdiplomacy.classroom import Classroom, Store

    classroom = Classroom(Store(db), timers=False)
    yield classroom
    classroom.close()
