"""The real app in headless Chromium, for what changes a run while it goes: a live lever moved
mid-run changes the next month, Run to stops at its month and Run to end at the last, a reload of
the page's URL keeps the run, the side panel fits a laptop screen, and nothing is fetched from
outside this machine (by the browser or by the server). Screenshots go to artifacts/screenshots/."""

from __future__ import annotations

import contextlib
import time
from urllib.parse import urlparse

import pandas as pd
import pytest

from app_helpers import (
    ARTIFACTS,
    VIEWPORT,
    choose,
    fire,
    log_rows,
    month,
    open_app,
    open_tab,
    require_chromium,
    screenshot,
    serve_app,
    step,
    tick,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(300)]

PlaywrightTimeout = require_chromium().TimeoutError

TARIFF = "md-lever-us-tariff_malaysia_initial"
LOCAL = ("127.0.0.1", "localhost")


@pytest.fixture(scope="module")
def server():
    with serve_app("app_live_server.log") as app:
        yield app


def lever_value(page, css: str) -> str:
    return page.inner_text(f".md-slider-head.{css} .md-slider-value")


def slide_to(page, css: str, words: str, key: str, limit: int = 80) -> None:
    """Move a slider from the keyboard, one step a press, until its value reads ``words`` (as a
    person watching the value would: each press waits until the panel shows its new value)."""
    thumb = page.locator(f".v-input.{css} [role=slider]")
    thumb.scroll_into_view_if_needed()
    thumb.focus()
    shown = f".md-slider-head.{css} .md-slider-value"
    for _ in range(limit):
        before = lever_value(page, css)
        if before == words:
            return
        thumb.press(key)
        with contextlib.suppress(PlaywrightTimeout):
            page.wait_for_function(
                "([sel, old]) => document.querySelector(sel).innerText !== old", arg=[shown, before], timeout=3000
            )
    raise AssertionError(f"{css} did not reach {words!r}: {lever_value(page, css)!r}")


def wait_idle(page, timeout: float = 60_000) -> None:
    """Wait until Play / Run to has stopped (Pause is disabled again)."""
    page.wait_for_function("() => document.querySelector('.md-pause').disabled", timeout=timeout)


def settled_tick(page, quiet_ms: int = 1_000, timeout_s: float = 30.0) -> int:
    """The month shown once it has stopped changing for ``quiet_ms``."""
    deadline = time.monotonic() + timeout_s
    last = tick(page)
    while time.monotonic() < deadline:
        page.wait_for_timeout(quiet_ms)
        now = tick(page)
        if now == last:
            return now
        last = now
    raise AssertionError(f"the month shown kept changing (last {last})")


def in_view(page, locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= VIEWPORT["height"]


def test_live_lever_changes_the_next_month(server, context, tmp_path):
    page = open_app(context, server.url)
    assert lever_value(page, TARIFF) == "0 % tariff"
    assert lever_value(page, "md-lever-us-price_floor_usd_kg") == "US$110 per kg"
    step(page, 12)
    slide_to(page, TARIFF, "19 % tariff", "ArrowRight")
    assert "takes effect in January 2021" in page.inner_text(".md-lever-help[data-path='us.tariff_malaysia_initial']")
    page.wait_for_function("() => document.querySelector('.md-status').innerText.includes('19 % tariff')")
    screenshot(page, "live_01_lever_moved")
    step(page, 2)
    assert lever_value(page, TARIFF) == "19 % tariff"
    fired = [row for row in log_rows(page) if "you" in row.split("\t")[-1]]
    assert len(fired) == 1 and "Jan 2021" in fired[0] and "19%" in fired[0], fired
    open_tab(page, "Downloads")
    with page.expect_download() as info:
        page.get_by_role("button", name="baseline_s20200101_timeseries.csv").click()
    path = tmp_path / "timeseries.csv"
    info.value.save_as(path)
    tariff = pd.read_csv(path)["us_tariff_malaysia"].tolist()
    assert len(tariff) == 14
    assert tariff[11] == 0.0 and tariff[12] == pytest.approx(0.19) and tariff[13] == pytest.approx(0.19)


def test_structural_levers_apply_on_reset_and_the_panel_fits(server, context):
    page = open_app(context, server.url)
    side = page.locator(".v-navigation-drawer")
    notice = page.locator(".md-lever-us-tariff_max .md-tag").first
    assert notice.inner_text() == "applies on Reset"
    assert page.locator(f".md-slider-head.{TARIFF} .md-tag").inner_text() == "live"
    notice.scroll_into_view_if_needed()
    assert in_view(page, notice)
    width = page.locator(".v-input.md-lever-china-jv_offer_rate_per_year .v-slider").bounding_box()["width"]
    assert width > 250, width  # the long name sits above the track, not beside it
    screenshot(page, "live_02_side_panel_levers")
    choose(page, "md-action", "US sets a tariff")
    page.wait_for_selector(".md-field-rate")  # the form of the chosen event is drawn
    page.locator(".md-fire").scroll_into_view_if_needed()
    assert in_view(page, page.locator(".md-fire"))
    assert page.locator(".md-field-rate .md-slider-value").first.inner_text() == "25 %"
    screenshot(page, "live_03_side_panel_tariff_form")
    assert side.evaluate("e => e.scrollWidth <= e.clientWidth + 1")
    slide_to(page, "md-lever-us-tariff_max", "40 % at most", "ArrowLeft")
    page.wait_for_selector(".md-pending")


def test_run_to_a_month_and_to_the_end(server, context):
    page = open_app(context, server.url)
    field = page.locator(".md-run-to-month input")
    field.fill("2019-05")
    page.locator(".md-run-to").click()
    page.wait_for_selector(".md-message")
    assert "This run goes from January 2020 to December 2035" in page.inner_text(".md-message")
    field.fill("2021-06")
    page.locator(".md-run-to").click()
    page.wait_for_function("() => document.querySelector('.md-status').dataset.tick === '18'", timeout=60_000)
    wait_idle(page)
    assert month(page) == "2021-06"
    page.wait_for_timeout(800)
    assert tick(page) == 18  # it stopped there
    assert "Ran to June 2021" in page.inner_text(".md-message")
    # Run to end, interrupted by Pause, then to the end
    page.locator(".md-run-end").click()
    page.wait_for_selector(".md-run-progress.md-running")
    assert "Running to December 2035" in page.inner_text(".md-run-progress")
    page.wait_for_function("() => Number(document.querySelector('.md-status').dataset.tick) >= 30", timeout=60_000)
    page.locator(".md-pause").click()
    wait_idle(page)
    paused = settled_tick(page)  # the status may still be catching up with the last months run
    page.wait_for_timeout(800)
    assert tick(page) == paused < 192
    assert "Stopped in" in page.inner_text(".md-message")
    page.locator(".md-run-end").click()
    page.wait_for_function("() => document.querySelector('.md-status').dataset.tick === '192'", timeout=120_000)
    wait_idle(page)
    screenshot(page, "live_04_run_to_end")
    # firing into an ended run says so; switching scenario clears that message
    choose(page, "md-action", "US sets a tariff")
    page.wait_for_selector(".md-field-rate")
    page.locator(".md-fire").click()
    page.wait_for_selector(".md-feedback")
    assert "The run has ended: press Reset first" in page.inner_text(".md-feedback")
    choose(page, "md-scenario", "us_pressure")
    page.wait_for_function("() => document.querySelector('.md-status').dataset.tick === '0'")
    page.wait_for_selector(".md-feedback", state="detached")
    assert page.locator(".md-step").is_enabled()


def test_a_reload_keeps_the_run(server, context):
    page = open_app(context, server.url)
    assert "run=" in page.url
    step(page, 3)
    fire(page, "China suspends magnet export licences")
    step(page)
    url = page.url
    dialogs = []

    def leave(dialog):
        dialogs.append(dialog.type)
        dialog.accept()

    page.on("dialog", leave)
    page.reload()
    page.wait_for_selector(".md-chart svg")
    page.wait_for_selector(".md-status")
    assert dialogs == ["beforeunload"]  # the browser asked before leaving a run in progress
    assert page.url == url
    assert (tick(page), month(page)) == (4, "2020-04")
    assert "Run restored in April 2020" in page.inner_text(".md-message")
    assert sum("you" in row.split("\t")[-1] for row in log_rows(page)) == 1
    step(page)
    assert month(page) == "2020-05"
    screenshot(page, "live_05_after_reload")
    # the same URL in a second tab takes the run over at the month it is in
    second = open_app(context, url)
    assert tick(second) == 5
    # the bare address starts a run of its own, and so does an unknown token
    fresh = open_app(context, server.url)
    assert tick(fresh) == 0 and "run=" in fresh.url and fresh.url != url
    unknown = open_app(context, server.url + "?run=no-such-run-0001")
    assert tick(unknown) == 0 and unknown.url.endswith("run=no-such-run-0001")


def test_nothing_is_fetched_from_outside(server, context):
    requests: list[str] = []
    failed: list[tuple[int, str]] = []
    context.on("request", lambda request: requests.append(request.url))
    context.on(
        "response", lambda response: failed.append((response.status, response.url)) if response.status >= 400 else None
    )
    page = open_app(context, server.url)
    step(page, 2)
    for name in ("Scorecard", "Prices & production", "Network & flows", "Event log", "Downloads", "About this model"):
        open_tab(page, name)
        page.wait_for_timeout(1500)  # let each tab load whatever it loads (Markdown, charts)
    page.get_by_role("heading", name="How it works").wait_for()
    page.wait_for_timeout(2000)
    hosts = {urlparse(url).hostname for url in requests if not url.startswith(("data:", "blob:"))}
    assert hosts <= set(LOCAL), f"the page fetched from outside this machine: {hosts}"
    assert not any("katex" in url for url in requests)
    assert failed == [], failed
    log = (ARTIFACTS / "app_live_server.log").read_text()
    for sign in ("Could not load URL", "cdn.jsdelivr", "katex", " 404"):
        assert sign not in log, f"server log mentions {sign!r}"
