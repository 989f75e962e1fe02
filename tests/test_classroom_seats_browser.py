"""A six-seat role-play in headless Chromium: every seat makes at least two kinds of decision and sees
its own score.

One server (``classroom.py`` with its database in a temporary folder) and seven browser contexts: the
teacher, who opens the class and drives the console in the same context, and one student per seat
(Malaysia, the United States, China, Lynas, JS Link, the buyers' association). In the first quarter
each seat picks two decisions of different kinds; the class plays two quarters and the teacher ends
it; each seat's debrief shows its own score table (its name and its own targets), the console's
Results tab a row per seat on its own objectives. Screenshots go to
``artifacts/screenshots/classroom_seats_*.png``.
"""

from __future__ import annotations

import pytest

from app_helpers import new_page, require_chromium, screenshot, serve_classroom
from magnetdiplomacy.classroom.menus import SEAT_LABELS
from magnetdiplomacy.classroom.seat_targets import SEAT_TARGETS

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(480)]

require_chromium()

# Who sits where, and the two decisions (of different kinds) each seat makes in the first quarter:
# (decision, choice) keys as the page names them; a choice of None takes the first change offered.
SEATS = {
    "malaysia": ("Ana", (("incentive", "level_50"), ("policing", None))),
    "united_states": ("Ben", (("tariff_china", "raise_10"), ("floor", "offer"))),
    "china": ("Chi", (("controls", "escalate"), ("malaysia", "restrict"))),
    "lynas": ("Lyn", (("expand", "abroad"), ("jslink", "stop"))),
    "jslink": ("Jo", (("feed", "market"), ("technology", "license"))),
    "buyers": ("Bo", (("esg", "esg_10"), ("contracts", "contracts_20"))),
}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with serve_classroom(
        tmp_path_factory.mktemp("classroom_seats") / "classroom.sqlite", "classroom_seats_server.log"
    ) as running:
        yield running


def wait_quarter(page, q: int, timeout: float = 60_000) -> None:
    page.wait_for_selector(f".cr-status[data-quarter='{q}']", timeout=timeout)


def pick(page, decision: str, choice: str | None) -> str:
    """Choose ``choice`` (or the first change offered) for ``decision``; returns the choice's label once
    the page shows it chosen."""
    if choice is None:
        options = page.locator(f".cr-d-{decision} [class*='cr-c-']")
        classes = [options.nth(i).get_attribute("class") or "" for i in range(options.count())]
        choice = next(c.split("cr-c-", 1)[1].split()[0] for c in classes if "cr-c-keep" not in c)
    option = page.locator(f".cr-d-{decision} .cr-c-{choice}")
    label = option.locator("label").inner_text()
    option.locator("label").click()
    page.wait_for_selector(f".cr-d-{decision} .cr-c-{choice} input[aria-checked='true']")
    return label


def test_six_seats_each_decide_twice_and_see_their_own_score(server, browser):
    teacher = new_page(browser, 45_000)
    teacher.goto(server.url + "teacher")
    teacher.wait_for_selector(".cr-create")
    teacher.locator(".cr-class-name input").fill("Six seats")
    teacher.locator(".cr-class-end").click()
    teacher.get_by_role("option", name="December 2027").click()
    teacher.locator(".cr-create").click()
    teacher.wait_for_selector(".cr-console")
    code = teacher.locator(".cr-console").get_attribute("data-code")

    pages = {}
    for seat, (name, _) in SEATS.items():
        page = new_page(browser, 45_000)
        page.goto(server.url + f"join?code={code}")
        page.locator(".cr-join-name input").fill(name)
        page.locator(".cr-join").click()
        page.wait_for_selector(".cr-seats")
        page.locator(f".cr-take-{seat}").click()
        page.wait_for_selector(f".cr-status[data-seat='{seat}']")
        page.wait_for_selector(".cr-decisions")
        pages[seat] = page
    teacher.wait_for_function(
        "() => [...document.querySelectorAll('.cr-roster .cr-member')].filter(r => r.dataset.seat).length === 6"
    )
    teacher.locator(".cr-start").click()
    teacher.wait_for_selector(".cr-console[data-status='running']")

    # the first quarter: every seat makes two kinds of decision, then says it is done
    chosen = {}
    for seat, (_, decisions) in SEATS.items():
        page = pages[seat]
        page.wait_for_selector(".cr-status[data-status='running']")
        kinds = page.locator(".cr-decision").count()
        assert kinds >= 2, (seat, kinds)
        chosen[seat] = [(d, pick(page, d, c)) for d, c in decisions]
    screenshot(pages["lynas"], "classroom_seats_01_lynas_decides")
    screenshot(pages["buyers"], "classroom_seats_02_buyers_decide")
    for page in pages.values():
        page.locator(".cr-ready").click()
    for page in (*pages.values(), teacher):
        wait_quarter(page, 1)
    # each seat's two decisions are in its history
    for seat, page in pages.items():
        page.wait_for_function(
            "labels => labels.every(l => document.querySelector('.cr-history') &&"
            " document.querySelector('.cr-history').textContent.includes(l))",
            arg=[label for _, label in chosen[seat]],
            timeout=20_000,
        )

    # the second quarter: the teacher moves the clock, then ends the class
    teacher.locator(".cr-advance").click()
    for page in (*pages.values(), teacher):
        wait_quarter(page, 2)
    teacher.locator(".cr-end").click()
    teacher.locator(".cr-end-confirm").click()

    for seat, page in pages.items():
        page.wait_for_selector(".cr-debrief", timeout=60_000)
        text = page.inner_text(".cr-debrief")
        if seat == "malaysia":
            assert page.locator(".cr-seat-scores").count() == 0  # Malaysia: the national targets
            assert "Share of non-China magnets" in page.inner_text(".cr-debrief .cr-scores")
            continue
        table = page.locator(f".cr-seat-scores[data-seat='{seat}']")
        assert table.count() == 1, seat
        assert f"{SEAT_LABELS[seat]}: your objectives" in page.inner_text(".cr-seat-title")
        keys = [row.get_attribute("data-key") for row in table.locator("tr[data-key]").all()]
        assert keys == [t.key for t in SEAT_TARGETS[seat]], (seat, keys)
        rows = table.inner_text()
        assert all(t.label in rows for t in SEAT_TARGETS[seat]) and "Total" in rows
        verdict = page.locator(".cr-seat-verdict")
        assert 0 <= float(verdict.get_attribute("data-total")) <= 100
        assert 0 <= float(verdict.get_attribute("data-model-total")) <= 100
        assert f"the model's own {SEAT_LABELS[seat]}" in text
        assert "Malaysia's targets, for context" in text
    for seat, name in (("lynas", "03_lynas"), ("buyers", "04_buyers")):
        pages[seat].locator(".cr-seat-title").scroll_into_view_if_needed()
        screenshot(pages[seat], f"classroom_seats_{name}_debrief")

    # the console's Results: a row per seat, each on its own objectives
    teacher.get_by_role("tab", name="Results").click()
    teacher.wait_for_selector(".cr-class-scores")
    for seat, (name, _) in SEATS.items():
        row = teacher.locator(f'.cr-class-scores tr[data-seat="{SEAT_LABELS[seat]}"]').first
        assert name in row.inner_text()
        first_target = SEAT_TARGETS[seat][0].label if seat != "malaysia" else "Magnet share"
        assert first_target in row.inner_text(), seat
    screenshot(teacher, "classroom_seats_05_results")
