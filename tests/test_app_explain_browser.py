"""The app explains what happens, in headless Chromium: replayed history and the sides' decisions
are markers on the time charts with their story on hover, every month hovers its values, the
event log's switch filters at once and keeps its state across tabs, the previous run can be shown
or hidden, and charts download as PNG at least 1600 pixels wide. Screenshots (1366x768) go to
artifacts/screenshots/."""

from __future__ import annotations

import re

import pytest

from app_helpers import (
    fire,
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

expect = require_chromium().expect

ALIGNMENT = ".md-chart-inner[data-chart='alignment']"
PREVIOUS_GREY = "#9a9a9a"  # charts.PREVIOUS_COLOR


@pytest.fixture(scope="module")
def server():
    with serve_app("app_explain_server.log") as app:
        yield app


def png_width(data: bytes) -> int:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(data[16:20], "big")  # the IHDR chunk's width


def test_replayed_history_has_a_marker_on_the_alignment_chart(server, context):
    page = open_app(context, server.url)
    step(page, 71)  # to November 2025: China's October controls, the US-Malaysia agreement, the truce
    assert month(page) == "2025-11"
    marks = page.locator(f"{ALIGNMENT} g.md-event")
    tips = page.locator(f"{ALIGNMENT} g.md-event > title").all_text_contents()
    assert 5 <= marks.count() == len(tips) <= 40  # one per month with events, neighbours merged: no flood
    october = [tip for tip in tips if "Oct 2025" in tip]
    assert october and "History:" in october[0] and "Announcement No. 57" in october[0]
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", " ".join(tips))  # no internal ids in the hover text
    # every time chart carries the markers
    assert page.locator(".md-chart-inner[data-chart='shares'] g.md-event").count() == marks.count()
    # each month hovers its values, with units, and points to its events
    months = page.locator(f"{ALIGNMENT} g.md-hover rect")
    assert months.count() == tick(page)
    october_values = months.nth(69).locator("title").text_content()
    assert october_values.startswith("Oct 2025\n") and "alignment: " in october_values and "▲" in october_values
    shares = page.locator(".md-chart-inner[data-chart='shares'] g.md-hover rect").nth(69)
    assert "%" in shares.locator("title").text_content()
    lit = ""
    for _ in range(3):  # a chart redrawn between the hover and the reading reads '' (a detached rect)
        months.nth(69).hover()
        lit = months.nth(69).evaluate("e => getComputedStyle(e).fillOpacity")
        if lit:
            break
    assert float(lit) > 0  # the hovered month lights up
    marks.last.hover()
    screenshot(page, "explain_01_alignment_markers")


def test_log_filter_applies_at_once_and_survives_a_tab_change(server, context):
    page = open_app(context, server.url)
    step(page, 3)
    fire(page, "US sets a tariff")
    step(page, 2)
    open_tab(page, "Event log")
    log = page.locator(".md-log")
    expect(log).to_have_attribute("data-only", "0")
    everything = page.locator(".md-log tbody tr").all_inner_texts()
    assert len(everything) > 3 and len(everything) == len(set(everything))  # no repeated rows
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", " ".join(everything))  # plain names, no internal ids
    screenshot(page, "explain_02_event_log")
    before = tick(page)
    page.locator(".md-only label").click()
    expect(log).to_have_attribute("data-only", "1")  # at once, without a step
    assert tick(page) == before
    rows = page.locator(".md-log tbody tr").all_inner_texts()
    assert len(rows) == 1 and rows[0].split("\t")[-1].strip() == "you"
    screenshot(page, "explain_03_event_log_interventions")
    open_tab(page, "Alignment & shares")
    page.wait_for_selector(f"{ALIGNMENT} svg")
    open_tab(page, "Event log")
    expect(page.locator(".md-log")).to_have_attribute("data-only", "1")  # still set
    assert page.locator(".md-only input").is_checked()
    page.locator(".md-only label").click()
    expect(page.locator(".md-log")).to_have_attribute("data-only", "0")
    assert page.locator(".md-log tbody tr").all_inner_texts() == everything


def test_previous_run_is_shown_after_reset_and_can_be_hidden(server, context):
    page = open_app(context, server.url)
    step(page, 6)
    page.locator(".md-reset").click()
    page.wait_for_function("() => document.querySelector('.md-status').dataset.tick === '0'")
    step(page, 2)
    grey = f"{ALIGNMENT} polyline[stroke='{PREVIOUS_GREY}']"
    expect(page.locator(grey)).to_have_count(1)
    assert "previous run" in page.locator(f"{ALIGNMENT} svg").inner_html()
    page.locator(".md-previous label").click()
    expect(page.locator(grey)).to_have_count(0)
    assert page.locator(".md-chart-inner[data-chart='shares'] polyline[stroke='#9a9a9a']").count() == 0


def test_after_an_intervention_the_run_without_it_is_shown(server, context):
    page = open_app(context, server.url)
    step(page, 2)
    fire(page, "China suspends magnet export licences")
    step(page, 2)
    # the same scenario and seed without the intervention arrives from the background ensemble
    expect(page.locator(".md-previous label")).to_contain_text("without your interventions", timeout=60_000)
    step(page)
    grey = f"{ALIGNMENT} polyline[stroke='{PREVIOUS_GREY}']"
    expect(page.locator(grey)).to_have_count(1)
    assert "without your interventions" in page.locator(f"{ALIGNMENT} svg").inner_html()
    screenshot(page, "explain_04_without_your_interventions")


def test_png_export_is_at_least_1600_pixels_wide(server, context, tmp_path):
    page = open_app(context, server.url)
    step(page, 2)
    with page.expect_download() as info:
        page.locator(".md-png-alignment").click()
    path = tmp_path / "alignment.png"
    info.value.save_as(path)
    assert png_width(path.read_bytes()) >= 1600
    open_tab(page, "Downloads")
    page.wait_for_selector(".md-download-png")
    with page.expect_download() as info:
        page.locator(".md-download-png").last.click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    assert png_width(path.read_bytes()) >= 1600
