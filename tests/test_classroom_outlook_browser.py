"""The look-ahead tables in headless Chromium at 1366x900: a choice's table shows levels with the
alignment band, and neither it, the plan's table nor the compare-all table scrolls sideways.

One server (``classroom.py`` with its database in a temporary folder) and one solo game to 2030.
Screenshots: ``artifacts/screenshots/classroom_outlook_tradeoff.png`` and ``classroom_outlook_compare.png``.
"""

from __future__ import annotations

import re

import pytest

from app_helpers import require_chromium, screenshot, serve_classroom

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(300)]

require_chromium()

VIEWPORT = {"width": 1366, "height": 900}
# (scroll width, client width) of an element, and how far its content reaches past its right edge
WIDTHS = """(selector) => {
  const el = document.querySelector(selector);
  const right = el.getBoundingClientRect().right;
  let reach = right;
  for (const child of el.querySelectorAll('*')) reach = Math.max(reach, child.getBoundingClientRect().right);
  return [el.scrollWidth, el.clientWidth, reach - right];
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with serve_classroom(
        tmp_path_factory.mktemp("classroom_outlook") / "classroom.sqlite", "classroom_outlook_server.log"
    ) as running:
        yield running


def pick(page, decision: str, choice: str, table: str = ".cr-tradeoff table") -> None:
    page.locator(f".cr-d-{decision} .cr-c-{choice} label").click()
    page.wait_for_selector(f".cr-d-{decision} .cr-c-{choice} input[aria-checked='true']")
    page.wait_for_selector(f".cr-d-{decision} {table}")


def fits(page, selector: str) -> None:
    scroll, client, beyond = page.evaluate(WIDTHS, selector)
    assert scroll <= client and beyond <= 1, f"{selector}: {scroll} px of content in {client} px ({beyond} px beyond)"


def test_look_ahead_tables_show_levels_with_the_band_and_fit_the_card(server, browser):
    ctx = browser.new_context(viewport=VIEWPORT)
    ctx.set_default_timeout(60_000)
    page = ctx.new_page()
    page.goto(server.url)
    page.wait_for_selector(".cr-solo-start")
    page.locator(".cr-solo-name input").fill("Dana")
    page.locator(".cr-solo-start").click()  # a full game, to December 2030
    page.wait_for_selector(".cr-decisions")

    pick(page, "lean", "lean_us100")
    page.locator(".cr-d-lean .cr-tradeoff").scroll_into_view_if_needed()
    screenshot(page, "classroom_outlook_tradeoff")
    table = page.inner_text(".cr-d-lean .cr-tradeoff")
    assert "the game's end" in table and "Jan 2030 – Dec 2030" in table
    assert re.search(r"[+−-]\d\.\d\d\s+outside the band", table)  # a level of alignment, against the band
    assert re.search(
        r"Band ±0\.25, Apr 2026 – Dec 2030: with this choice Malaysia is inside it \d+ of 57 months", table
    )

    pick(page, "incentive", "level_100")
    page.wait_for_selector(".cr-plan-tradeoff table")
    plan = page.inner_text(".cr-plan-tradeoff")
    assert "expected with this plan" in plan and "this choice" not in plan

    page.locator(".cr-d-lean .cr-compare-button").click()
    page.wait_for_selector(".cr-d-lean .cr-compare table")
    compare = page.inner_text(".cr-d-lean .cr-compare")
    assert "Months in the band" in compare and "of 57" in compare
    for selector in (".cr-decisions", ".cr-d-lean .cr-compare", ".cr-d-lean .cr-tradeoff", ".cr-plan-tradeoff"):
        fits(page, selector)
    page.locator(".cr-d-lean .cr-compare").scroll_into_view_if_needed()
    screenshot(page, "classroom_outlook_compare")
    ctx.close()
