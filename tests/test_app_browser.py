"""The real app in headless Chromium: it loads offline, every control is there, Step, Play and
Pause work, interventions change the run, scenarios reset, downloads are valid files and two tabs
stay independent. Screenshots are saved to artifacts/screenshots/."""

from __future__ import annotations

import io
import json
import zipfile

import pandas as pd
import pytest

from app_helpers import (
    chart_svg,
    chart_values,
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
from magnetdiplomacy import list_scenarios, load_scenario
from magnetdiplomacy.ui.actions import menu
from magnetdiplomacy.ui.levers import levers
from magnetdiplomacy.ui.panels import CHARTS

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(300)]

expect = require_chromium().expect


@pytest.fixture(scope="module")
def server():
    with serve_app("app_server.log") as app:
        yield app


def test_page_loads_offline_and_fits_a_laptop_screen(server, context):
    requests = []
    context.on("request", lambda request: requests.append(request.url))
    page = open_app(context, server.url)
    screenshot(page, "01_loaded")
    assert page.title() == "Magnet diplomacy"
    assert "Malaysia in the rare-earth magnet race" in page.inner_text("header")
    assert page.locator(".md-tile").count() == 7
    assert page.locator(".md-chart svg").count() == 2
    assert tick(page) == 0
    outside = [url for url in requests if not url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:"))]
    assert outside == [], f"the page fetched from outside this machine: {outside[:5]}"
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner, "horizontal scrolling at 1366x768"
    assert "This website runs on" not in page.inner_text("body")


def test_every_control_is_present(server, context):
    page = open_app(context, server.url)
    for name in ("Reset", "Step", "Play", "Pause"):
        assert page.get_by_role("button", name=name).is_visible(), name
    assert page.get_by_text("Speed (months per second)").is_visible()
    assert page.locator(".md-seed input").input_value() == "20200101"
    # scenario picker lists every scenario file
    page.locator(".md-scenario").click()
    # the menu opens asynchronously: wait until it lists as many items as there are scenarios
    expect(page.get_by_role("option")).to_have_count(len(list_scenarios()))
    options = page.get_by_role("option").all_inner_texts()
    assert sorted(o.strip() for o in options) == sorted(list_scenarios())
    page.keyboard.press("Escape")
    # levers: range, unit and help text come from the parameter declarations
    for lever in levers():
        help_text = page.locator(f".md-help[data-path='{lever.path}']")
        assert help_text.count() == 1, lever.path
        assert lever.spec.description in help_text.inner_text()
        assert lever.spec.unit in help_text.inner_text() or lever.kind == "bool"
        assert page.get_by_text(lever.name, exact=True).count() >= 1, lever.name
    # live interventions: every action in the menu
    page.locator(".md-action").click()
    page.get_by_role("option").first.wait_for()
    for _ in range(3):  # the list renders more items as it scrolls
        page.locator(".menuable__content__active").evaluate("e => e.scrollTop = e.scrollHeight")
        page.wait_for_timeout(200)
    offered = [o.strip() for o in page.get_by_role("option").all_inner_texts()]
    assert offered == [spec.label for spec in menu()]
    page.keyboard.press("Escape")
    assert page.locator(".md-fire").is_visible()
    for name in (
        "Alignment & shares",
        "Prices & production",
        "Network & flows",
        "Event log",
        "Downloads",
        "About this model",
    ):
        assert page.get_by_role("tab", name=name).is_visible(), name
    screenshot(page, "02_controls")


def test_step_advances_the_date_and_changes_chart_data(server, context):
    page = open_app(context, server.url)
    before = chart_svg(page, "alignment")
    assert step(page) == 1
    assert month(page) == "2020-01"
    first = chart_svg(page, "alignment")
    assert first != before
    assert step(page, 2) == 3
    assert month(page) == "2020-03"
    assert chart_svg(page, "alignment") != first
    assert page.locator(".md-chart-inner[data-chart='shares']").get_attribute("data-tick") == "3"
    assert "Mar 2020" in page.inner_text(".md-status")
    open_tab(page, "Prices & production")
    page.wait_for_selector(".md-chart-inner[data-chart='prices'] svg")
    assert chart_values(page, "prices")["NdPr oxide in China"] > 0
    step(page)
    assert page.locator(".md-chart-inner[data-chart='production']").get_attribute("data-tick") == "4"
    open_tab(page, "Network & flows")
    page.wait_for_selector(".md-chart-inner[data-chart='flows'] svg polygon")
    screenshot(page, "03_network_flows")
    open_tab(page, "About this model")
    page.get_by_role("heading", name="Things to try").wait_for()
    assert page.get_by_role("heading", name="How it works").is_visible()


def test_intervention_shows_in_log_and_moves_alignment(server, context):
    with_jv = open_app(context, server.url)
    without = open_app(context, server.url)  # a second tab, same seed, no intervention
    step(with_jv, 6)
    step(without, 6)
    assert chart_values(with_jv, "alignment") == chart_values(without, "alignment")
    assert "takes effect in July 2020" in fire(with_jv, "Malaysia accepts the Chinese refinery JV")
    assert "queued for next month" in with_jv.inner_text(".md-status")
    step(with_jv, 3)
    step(without, 3)
    moved = chart_values(with_jv, "alignment")["alignment"]
    base = chart_values(without, "alignment")["alignment"]
    assert moved < base - 0.01, (moved, base)  # a Chinese joint venture pulls Malaysia towards China
    assert ">1</text>" in chart_svg(with_jv, "alignment")  # numbered marker on the time chart
    assert ">1</text>" not in chart_svg(without, "alignment")
    screenshot(with_jv, "04_intervention_chart")
    rows = log_rows(with_jv)
    fired = [row for row in rows if "you" in row.split("\t")[-1]]
    assert len(fired) == 1 and "Jul 2020" in fired[0] and "joint venture" in fired[0]
    assert with_jv.locator(".md-log tr.md-user").count() == 1
    screenshot(with_jv, "05_event_log")
    assert not any("you" in row.split("\t")[-1] for row in log_rows(without))


def test_play_and_pause(server, context):
    page = open_app(context, server.url)
    page.locator(".md-play").click()
    page.wait_for_function("() => Number(document.querySelector('.md-status').dataset.tick) >= 3", timeout=20_000)
    page.locator(".md-pause").click()
    page.wait_for_timeout(500)
    paused = tick(page)
    page.wait_for_timeout(1200)
    assert tick(page) == paused
    assert page.locator(".md-step").is_enabled()


def test_switching_scenario_resets_the_run(server, context):
    page = open_app(context, server.url)
    step(page, 3)
    choose(page, "md-scenario", "us_pressure")
    page.wait_for_function("() => document.querySelector('.md-status').dataset.tick === '0'")
    assert "us_pressure" in page.inner_text(".md-status")
    assert load_scenario("us_pressure").description.split()[0] in page.inner_text(".md-side")
    assert chart_values(page, "alignment") == {}
    step(page)
    assert month(page) == "2020-01"
    screenshot(page, "06_scenario_switched")


def test_reset_applies_seed_and_levers(server, context):
    page = open_app(context, server.url)
    step(page, 2)
    seed = page.locator(".md-seed input")
    seed.fill("7")
    seed.press("Enter")
    page.wait_for_selector(".md-pending")
    page.locator(".md-reset").click()
    page.wait_for_function("() => document.querySelector('.md-status').dataset.tick === '0'")
    assert "seed 7" in page.inner_text(".md-status")
    assert page.locator(".md-pending").count() == 0


def test_downloads_are_valid_files(server, context, tmp_path):
    context.set_default_timeout(90_000)  # files are made when clicked; slow when the machine is busy
    page = open_app(context, server.url)
    step(page, 12)
    fire(page, "US sets a tariff")
    step(page, 2)
    # a chart as PNG, from the button under the chart
    with page.expect_download() as info:
        page.locator(".md-png-alignment").click()
    png = tmp_path / "alignment.png"
    info.value.save_as(png)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5_000
    open_tab(page, "Downloads")
    page.wait_for_selector(".md-download")
    saved = {}
    for button in page.locator(".md-download").all():
        with page.expect_download() as info:
            button.click()
        path = tmp_path / info.value.suggested_filename
        info.value.save_as(path)
        saved[path.name] = path
    assert len(saved) == 6, sorted(saved)
    stem = "baseline_s20200101"
    series = pd.read_csv(saved[f"{stem}_timeseries.csv"])
    assert len(series) == 14 and "malaysia_alignment" in series
    assert pd.read_parquet(saved[f"{stem}_timeseries.parquet"]).shape == series.shape
    events = pd.read_csv(saved[f"{stem}_events.csv"])
    assert (events["source"] == "user").sum() == 1
    assert len(pd.read_parquet(saved[f"{stem}_events.parquet"])) == len(events)
    manifest = json.loads(saved[f"{stem}_manifest.json"].read_text())
    assert manifest["scenario"] == "baseline" and manifest["seed"] == 20200101 and manifest["ticks"] == 14
    assert manifest["interventions_fired"][0]["action"] == "us_set_tariff"
    with zipfile.ZipFile(saved[f"{stem}.zip"]) as archive:
        names = {name.split("/", 1)[1] for name in archive.namelist()}
        assert {
            "timeseries.parquet",
            "timeseries.csv",
            "events.parquet",
            "events.csv",
            "agents.parquet",
            "manifest.json",
        } <= names
        folder = archive.namelist()[0].split("/")[0]
        inner = pd.read_parquet(io.BytesIO(archive.read(f"{folder}/timeseries.parquet")))
        assert len(inner) == 14
    png_buttons = page.locator(".md-download-png").all()
    assert len(png_buttons) == len(CHARTS)  # one per chart
    pngs = set()
    for button in png_buttons:
        with page.expect_download() as info:
            button.click()
        assert info.value.suggested_filename.endswith(".png")
        path = tmp_path / info.value.suggested_filename
        info.value.save_as(path)
        assert path.read_bytes()[:4] == b"\x89PNG"
        pngs.add(path.name)
    assert pngs == {f"{key}.png" for key in CHARTS}
    screenshot(page, "07_downloads")


def test_two_tabs_stay_independent(server, context):
    first = open_app(context, server.url)
    second = open_app(context, server.url)
    step(first, 4)
    fire(first, "China suspends magnet export licences")
    step(first)
    assert tick(first) == 5
    assert tick(second) == 0
    assert chart_values(second, "alignment") == {}
    step(second)
    assert tick(second) == 1 and tick(first) == 5
    assert not any("you" in row.split("\t")[-1] for row in log_rows(second))
    assert any("you" in row.split("\t")[-1] for row in log_rows(first))
    screenshot(second, "08_second_tab")
