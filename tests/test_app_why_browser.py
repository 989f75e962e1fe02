"""The "Why it moved" tab and the seed bands in headless Chromium: the tab renders its two stacked
charts (parts adding up to their lines) after some steps, and a seed band computed in the
background appears within seconds of loading while Step stays responsive. Screenshots are saved to
artifacts/screenshots/."""

from __future__ import annotations

import json
import statistics
import time

import pytest

from app_helpers import (
    chart_svg,
    open_app,
    open_tab,
    require_chromium,
    screenshot,
    serve_app,
    step,
)
from magnetdiplomacy.ui.ensemble import DEFAULT_SEEDS, MIN_SEEDS

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(300)]

require_chromium()

BAND_WITHIN_S = 15.0  # from opening the page to the first band on screen (the first page starts the worker)
STEP_BUDGET_S = 0.4  # median time from clicking Step to the page showing the next month


@pytest.fixture(scope="module")
def server(monkeypatch_module):
    monkeypatch_module.delenv("MAGNETDIPLOMACY_ENSEMBLE_SEEDS", raising=False)  # the default: 20 seeds
    with serve_app("app_why_server.log") as app:
        yield app


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def why_chart(page, key: str):
    return page.locator(f".md-chart-inner[data-chart='{key}']")


def why_values(page, key: str) -> dict:
    return json.loads(why_chart(page, key).get_attribute("data-values"))


def band_seeds(page) -> int:
    return int(why_chart(page, "why-alignment").get_attribute("data-band-seeds"))


def timed_steps(page, count: int) -> list[float]:
    """Seconds from each click on Step to the page showing the next month."""
    times = []
    for _ in range(count):
        started = time.perf_counter()
        step(page)
        times.append(time.perf_counter() - started)
    return times


def test_why_tab_renders_after_some_steps(server, context):
    page = open_app(context, server.url)
    step(page, 4)
    open_tab(page, "Why it moved")
    why_chart(page, "why-share").locator("svg").wait_for()
    assert why_chart(page, "why-alignment").get_attribute("data-tick") == "4"
    step(page, 20)  # the view is live: it follows the steps
    page.wait_for_function(
        "() => document.querySelector(\".md-chart-inner[data-chart='why-alignment']\").dataset.tick === '24'"
    )
    for key in ("why-alignment", "why-share"):
        values = why_values(page, key)
        assert values["gap"] < 1e-9, key  # the layers add up to the line
        assert sum(values["parts"].values()) == pytest.approx(values["line"], abs=1e-5)
    assert len(why_values(page, "why-alignment")["parts"]) >= 2
    assert set(why_values(page, "why-share")["parts"]) == {
        "Malaysian capacity",
        "utilisation of it",
        "rest of non-China industry",
    }
    captions = page.locator(".md-why-caption").all_inner_texts()
    assert len(captions) == 2 and "US" in captions[0] and "Shapley" in captions[1]
    assert "Why Malaysia's alignment moved" in chart_svg(page, "why-alignment")
    why_chart(page, "why-alignment").scroll_into_view_if_needed()
    screenshot(page, "why_01_view")


def test_seed_band_appears_while_step_stays_responsive(server, context):
    started = time.monotonic()
    page = open_app(context, server.url)
    open_tab(page, "Why it moved")
    why_chart(page, "why-alignment").locator("svg").wait_for()
    times = timed_steps(page, 5)  # while the ensemble starts and runs
    page.wait_for_function(
        "n => Number(document.querySelector(\".md-chart-inner[data-chart='why-alignment']\").dataset.bandSeeds) >= n",
        arg=MIN_SEEDS,
        timeout=BAND_WITHIN_S * 1000,
    )
    appeared = time.monotonic() - started
    assert appeared < BAND_WITHIN_S
    times += timed_steps(page, 10)
    seeds = band_seeds(page)
    assert MIN_SEEDS <= seeds < DEFAULT_SEEDS, "the ensemble should still be running while Step is timed"
    assert statistics.median(times) < STEP_BUDGET_S, times
    assert f"5–95% of {seeds} other seeds" in chart_svg(page, "why-alignment")
    median = statistics.median(times) * 1000
    print(
        f"\nband after {appeared:.1f} s; Step with the ensemble running: median {median:.0f} ms,"
        f" max {max(times) * 1000:.0f} ms over {len(times)} steps ({seeds} seeds so far)"
    )
    step(page, 60)
    why_chart(page, "why-alignment").scroll_into_view_if_needed()
    screenshot(page, "why_02_view_with_band")
    # the time charts draw the bands too
    open_tab(page, "Alignment & shares")
    page.locator(".md-chart-inner[data-chart='alignment'] svg").wait_for()
    step(page)
    assert "seeds" in chart_svg(page, "alignment")
    screenshot(page, "why_03_alignment_chart_with_band")
