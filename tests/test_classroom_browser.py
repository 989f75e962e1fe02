"""The classroom in headless Chromium: a teacher and three students run a role-play class.

One server (``classroom.py`` with its database in a temporary folder) and four browser contexts
(a teacher and three students, each with their own cookies, as on four computers). In order:
seats are claimed, decisions are collected and the clock moves when every seat is done, an inject
reaches every student, the teacher moves the clock, a student can neither use the teacher's
controls nor decide for another seat, a student reloads and keeps seat and decisions, and the
server is restarted mid-class and the class resumes with nothing lost. Then a short single-player
game is played to its debrief. Screenshots go to ``artifacts/screenshots/classroom_*.png``.
"""

from __future__ import annotations

import os
import re
from urllib.parse import parse_qs, urlparse

import pytest

from app_helpers import ARTIFACTS, ROOT, Server, require_chromium, screenshot
from magnetdiplomacy.targets import TARGETS

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(420)]

require_chromium()

VIEWPORT = {"width": 1366, "height": 900}
DB_VAR = "MAGNETDIPLOMACY_CLASSROOM_DB"


class Classroom:
    """The server and what the tests learn as they go (shared by the tests of this module, in order)."""

    def __init__(self, db) -> None:
        self.db = db
        self.server: Server | None = None
        self.pages: dict = {}
        self.class_id = self.key = self.code = ""
        self.before_restart: dict = {}

    def start(self, port: int | None = None) -> Server:
        self.server = Server(ROOT / "classroom.py", port=port, log=ARTIFACTS / "classroom_server.log").start()
        return self.server

    @property
    def url(self) -> str:
        return self.server.url


@pytest.fixture(scope="module")
def room(tmp_path_factory):
    ARTIFACTS.mkdir(exist_ok=True)
    db = tmp_path_factory.mktemp("classroom") / "classroom.sqlite"
    old = os.environ.get(DB_VAR)
    os.environ[DB_VAR] = str(db)
    state = Classroom(db)
    state.start()
    yield state
    state.server.stop()
    if old is None:
        os.environ.pop(DB_VAR, None)
    else:
        os.environ[DB_VAR] = old


@pytest.fixture(scope="module")
def contexts(browser):
    made = {}
    for who in ("teacher", "ana", "ben", "chi"):
        ctx = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
        ctx.set_default_timeout(30_000)
        made[who] = ctx
    yield made
    for ctx in made.values():
        ctx.close()


# ---- helpers -----------------------------------------------------------------------------------


def quarter(page) -> int:
    return int(page.locator(".cr-status").first.get_attribute("data-quarter"))


def wait_quarter(page, q: int, timeout: float = 20_000) -> None:
    page.wait_for_selector(f".cr-status[data-quarter='{q}']", timeout=timeout)


def pick(page, decision: str, choice: str) -> None:
    """Choose ``choice`` for ``decision`` (CSS keys) and wait until the server has it."""
    page.locator(f".cr-d-{decision} .cr-c-{choice} label").click()
    page.wait_for_selector(f".cr-d-{decision} .cr-c-{choice} input[aria-checked='true']")
    page.wait_for_selector(f".cr-d-{decision} .cr-tradeoff")


def done(page) -> None:
    page.locator(".cr-ready").click()


def news_text(page) -> str:
    return page.locator(".cr-news").first.text_content()


def tiles(page) -> str:
    return page.locator(".cr-tiles").first.inner_text()


# ---- the role-play class -----------------------------------------------------------------------


def test_teacher_opens_a_class(room, contexts):
    page = contexts["teacher"].new_page()
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(room.url + "teacher")
    page.wait_for_selector(".cr-create")
    page.locator(".cr-class-name input").fill("Form 5 Economics")
    page.locator(".cr-class-script").click()
    page.get_by_role("option", name="2026-2030: after the truce (what-ifs)").click()
    page.locator(".cr-class-timer").click()
    page.get_by_role("option", name="10 minutes").click()
    page.locator(".cr-create").click()
    page.wait_for_selector(".cr-console")
    query = parse_qs(urlparse(page.url).query)
    room.class_id = query["c"][0]
    room.key = page.inner_text(".cr-key-banner .cr-key")  # shown once, on opening; never in the address
    assert "k" not in query and room.key not in page.url
    room.code = page.locator(".cr-console").get_attribute("data-code")
    assert re.fullmatch(r"[A-Z2-9]{8}", room.code)
    assert page.locator(".cr-console").get_attribute("data-status") == "lobby"
    page.locator(".cr-start").click()
    page.wait_for_selector(".cr-console[data-status='running']")
    # the quarter's timer counts down on the console (and on every student's page)
    page.wait_for_selector(".cr-countdown")
    first = page.inner_text(".cr-countdown")
    assert re.fullmatch(r"(9:[0-5]\d|10:00) left in this quarter", first), first
    page.wait_for_function("t => document.querySelector('.cr-countdown').innerText !== t", arg=first, timeout=5_000)
    outside = [u for u in requests if not u.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:"))]
    assert outside == [], f"the page fetched from outside this machine: {outside[:5]}"
    room.pages["teacher"] = page
    screenshot(page, "classroom_01_teacher_console")


def test_students_join_and_claim_seats(room, contexts):
    seats = {"ana": ("Ana", "malaysia"), "ben": ("Ben", "united_states"), "chi": ("Chi", "china")}
    for who, (name, seat) in seats.items():
        page = contexts[who].new_page()
        page.goto(room.url + f"join?code={room.code.lower()}")  # codes are not case-sensitive
        page.locator(".cr-join-name input").fill(name)
        page.locator(".cr-join").click()
        page.wait_for_selector(".cr-seats")
        assert urlparse(page.url).path == "/student" and "t" not in parse_qs(urlparse(page.url).query)
        page.locator(f".cr-take-{seat}").click()
        page.wait_for_selector(f".cr-status[data-seat='{seat}']")
        page.wait_for_selector(".cr-decisions")
        room.pages[who] = page
    # every student sees the scripted news that opens the class
    for who in seats:
        room.pages[who].wait_for_function(
            "() => document.querySelector('.cr-news').textContent.includes('April 2026: where things stand')"
        )
    teacher = room.pages["teacher"]
    teacher.wait_for_function(
        "() => [...document.querySelectorAll('.cr-roster .cr-member')].filter(r => r.dataset.seat).length === 3"
    )
    roster = {
        r.get_attribute("data-name"): r.get_attribute("data-seat")
        for r in teacher.locator(".cr-roster .cr-member").all()
    }
    assert roster == {"Ana": "malaysia", "Ben": "united_states", "Chi": "china"}
    screenshot(room.pages["ana"], "classroom_02_student_malaysia")


def test_each_student_sees_only_their_seats_decisions(room):
    ana, ben, chi = room.pages["ana"], room.pages["ben"], room.pages["chi"]
    assert ana.locator(".cr-d-lean").count() == 1 and ana.locator(".cr-d-tariff_malaysia").count() == 0
    assert (
        ben.locator(".cr-d-tariff_malaysia").count() == 1
        and ben.locator(".cr-d-lean").count() == 0
        and ben.locator(".cr-d-controls").count() == 0
    )
    assert (
        chi.locator(".cr-d-controls").count() == 1
        and chi.locator(".cr-d-lean").count() == 0
        and chi.locator(".cr-d-tariff_malaysia").count() == 0
    )


def test_decisions_are_collected_and_the_clock_moves_when_every_seat_is_done(room):
    ana, ben, chi, teacher = room.pages["ana"], room.pages["ben"], room.pages["chi"], room.pages["teacher"]
    pick(ana, "lean", "lean_us50")
    assert "What this choice is expected to change" in ana.inner_text(".cr-d-lean .cr-tradeoff")
    pick(ben, "tariff_malaysia", "rate_10")
    pick(chi, "malaysia", "restrict")
    teacher.wait_for_function(
        "() => document.querySelector('.cr-seat-table').innerText.includes('Lean towards the US')"
    )
    screenshot(ana, "classroom_03_decision_tradeoffs")
    done(ana)
    ana.wait_for_selector(".cr-waiting")
    done(ben)
    teacher.wait_for_selector(".cr-console[data-done='2'][data-expected='3']")
    assert quarter(teacher) == 0
    done(chi)  # the last seat: the clock moves by itself
    for page in (ana, ben, chi, teacher):
        wait_quarter(page, 1)
    # every seat's decision is in everyone's news
    for page in (ana, ben, chi):
        page.wait_for_function(
            "() => ['United States (Ben)', 'China (Chi)', 'Malaysia (Ana)'].every(s =>"
            " document.querySelector('.cr-news').textContent.includes(s))",
            timeout=10_000,
        )
    ana.wait_for_function(
        "() => document.querySelector('.cr-history') &&"
        " document.querySelector('.cr-history').textContent.includes('Lean towards the US')"
    )
    screenshot(teacher, "classroom_04_teacher_after_first_quarter")


def test_an_inject_reaches_every_student(room):
    teacher = room.pages["teacher"]
    teacher.get_by_role("tab", name="News & injects").click()
    teacher.wait_for_selector(".cr-adhoc-fire")
    teacher.locator(".cr-adhoc-action").click()
    teacher.get_by_role("option", name="China suspends magnet and Dy/Tb export licences").click()
    teacher.locator(".cr-adhoc-headline input").fill("Flash: Beijing halts magnet licences")
    teacher.locator(".cr-adhoc-text textarea").fill("No licences for magnets or Dy/Tb until further notice.")
    teacher.locator(".cr-adhoc-fire").click()
    teacher.wait_for_selector(".cr-sent")
    for who in ("ana", "ben", "chi"):
        page = room.pages[who]
        page.wait_for_function(
            "() => document.querySelector('.cr-news').innerText.includes('Flash: Beijing halts magnet licences')",
            timeout=10_000,
        )
        assert "Your teacher" in news_text(page)
    screenshot(room.pages["ben"], "classroom_05_inject_reaches_student")


def test_the_teacher_moves_the_clock(room):
    teacher = room.pages["teacher"]
    teacher.get_by_role("tab", name="Class").click()
    teacher.locator(".cr-advance").click()
    for who in ("ana", "ben", "chi", "teacher"):
        wait_quarter(room.pages[who], 2)
    assert "October–December 2026" in room.pages["ana"].inner_text(".cr-status")
    room.pages["ana"].wait_for_function("() => document.body.innerText.includes('end of September 2026')")


def test_a_student_cannot_use_teacher_controls(room, contexts):
    page = contexts["ben"].new_page()
    for url in (
        f"teacher?c={room.class_id}",
        f"teacher?c={room.class_id}&k=wrong-key",
        f"teacher?c={room.class_id}&k={room.code}",
    ):
        page.goto(room.url + url)
        page.wait_for_selector(".cr-denied")
        assert "teacher's key" in page.inner_text(".cr-denied")
        assert page.locator(".cr-advance").count() == 0 and page.locator(".cr-adhoc-fire").count() == 0
    page.close()
    # and the console is still where it was
    assert quarter(room.pages["teacher"]) == 2


def test_pause_blocks_decisions_until_resumed(room):
    teacher, ana = room.pages["teacher"], room.pages["ana"]
    teacher.locator(".cr-pause").click()
    ana.wait_for_selector(".cr-paused-banner")
    ana.wait_for_function("() => document.querySelector('.cr-ready').disabled")
    teacher.wait_for_function("() => document.querySelector('.cr-advance').disabled")
    teacher.locator(".cr-resume").click()
    ana.wait_for_selector(".cr-status[data-status='running']")
    ana.wait_for_function("() => !document.querySelector('.cr-ready').disabled")
    assert ana.locator(".cr-paused-banner").count() == 0


def test_a_student_reloads_and_keeps_seat_and_decisions(room):
    ana = room.pages["ana"]
    pick(ana, "incentive", "level_50")  # planned for this quarter, not yet done
    history = ana.locator(".cr-history").inner_text()
    url = ana.url
    ana.reload()
    ana.wait_for_selector(".cr-decisions")
    assert ana.url == url
    assert ana.locator(".cr-status").get_attribute("data-seat") == "malaysia"
    assert quarter(ana) == 2
    assert ana.locator(".cr-d-incentive .cr-c-level_50 input").get_attribute("aria-checked") == "true"
    assert ana.locator(".cr-history").inner_text() == history
    assert "Flash: Beijing halts magnet licences" in news_text(ana)


def test_the_server_restarts_mid_class_and_the_class_resumes(room):
    teacher = room.pages["teacher"]
    before = {
        "dashboard": teacher.locator(".cr-dashboard .cr-tiles").inner_text(),
        "roster": teacher.locator(".cr-roster").inner_text(),
        "ana_tiles": tiles(room.pages["ana"]),
        "ana_history": room.pages["ana"].locator(".cr-history").inner_text(),
        "news": news_text(room.pages["ben"]),
    }
    port = room.server.port
    room.server.stop()
    room.start(port=port)  # same database, same address
    for page in room.pages.values():
        page.reload()
    teacher.wait_for_selector(".cr-console")
    for who in ("ana", "ben", "chi"):
        room.pages[who].wait_for_selector(".cr-decisions")
        assert quarter(room.pages[who]) == 2
    assert quarter(teacher) == 2
    assert teacher.locator(".cr-console").get_attribute("data-status") == "running"
    assert teacher.locator(".cr-dashboard .cr-tiles").inner_text() == before["dashboard"]
    assert re.sub(r"\s+", " ", teacher.locator(".cr-roster").inner_text()) == re.sub(r"\s+", " ", before["roster"])
    assert tiles(room.pages["ana"]) == before["ana_tiles"]
    assert room.pages["ana"].locator(".cr-history").inner_text() == before["ana_history"]
    assert news_text(room.pages["ben"]) == before["news"]
    assert room.pages["ana"].locator(".cr-d-incentive .cr-c-level_50 input").get_attribute("aria-checked") == "true"
    # the class carries on: every seat says it is done and the clock moves
    for who in ("ana", "ben", "chi"):
        done(room.pages[who])
    for who in ("ana", "ben", "chi", "teacher"):
        wait_quarter(room.pages[who], 3)
    room.pages["ana"].wait_for_function(
        "() => document.querySelector('.cr-history').textContent.includes('Incentive for the magnet plant: Set it to"
        " 50% of the maximum')"
    )
    screenshot(teacher, "classroom_06_after_restart")


def test_results_download_after_the_class_ends(room):
    teacher = room.pages["teacher"]
    teacher.locator(".cr-end").click()
    teacher.locator(".cr-end-confirm").click()
    teacher.wait_for_selector(".cr-console[data-status='finished']")
    ana = room.pages["ana"]
    ana.wait_for_selector(".cr-debrief")
    assert "scored" in ana.inner_text(".cr-verdict")
    teacher.get_by_role("tab", name="Downloads").click()
    with teacher.expect_download() as info:
        teacher.locator(".cr-download-results").click()
    text = open(info.value.path(), encoding="utf-8-sig").read()
    lines = text.strip().splitlines()
    assert lines[0].startswith("class,mode,participant,seat,quarter")
    assert sum(1 for line in lines if ",Ana," in line) == 3  # three quarters played
    assert "Lean towards the US" in text
    with teacher.expect_download() as info:
        teacher.locator(".cr-download-summaries").click()
    assert open(info.value.path(), "rb").read(5) == b"%PDF-"
    with teacher.expect_download() as info:
        teacher.locator(".cr-download-scorecard").click()
    card = open(info.value.path(), encoding="utf-8-sig").read().strip().splitlines()
    assert "Local content" in "\n".join(card) and len(card) > len(TARGETS)
    # the join code stops working with the class
    page = ana.context.new_page()
    page.goto(room.url + f"join?code={room.code}")
    page.locator(".cr-join-name input").fill("Late")
    page.locator(".cr-join").click()
    page.wait_for_selector(".cr-error")
    assert "does not open a class" in page.inner_text(".cr-error")
    screenshot(ana, "classroom_07_roleplay_debrief")


# ---- a single-player game ---------------------------------------------------------------------


def test_a_single_player_game_ends_in_a_debrief_with_scores(room, browser):
    ctx = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    ctx.set_default_timeout(30_000)
    page = ctx.new_page()
    page.goto(room.url)
    page.wait_for_selector(".cr-solo-start")
    page.locator(".cr-solo-name input").fill("Dana")
    page.locator(".cr-solo-end").click()
    page.get_by_role("option", name="December 2026 (a short game: 3 quarters)").click()
    page.locator(".cr-solo-start").click()
    page.wait_for_selector(".cr-decisions")
    pick(page, "incentive", "level_100")
    page.locator(".cr-d-lean .cr-compare-button").click()
    page.wait_for_selector(".cr-d-lean .cr-compare table")
    # a header and a row per change of line (every lean offered but the current one)
    choices = page.locator(".cr-d-lean [class*='cr-c-'] label").count()
    assert choices >= 7 and page.locator(".cr-d-lean .cr-compare tr").count() == choices
    for q in range(3):
        wait_quarter(page, q)
        done(page)
    page.wait_for_selector(".cr-debrief")
    verdict = page.locator(".cr-verdict")
    assert 0 <= float(verdict.get_attribute("data-total")) <= 100
    assert 0 <= float(verdict.get_attribute("data-model-total")) <= 100
    table = page.locator(".cr-debrief .cr-scores").inner_text()
    for label in ("Share of non-China magnets", "Rare-earth exports", "Direct jobs", "Non-aligned", "Total"):
        assert label in table
    assert "Incentive for the magnet plant" in page.inner_text(".cr-debrief")
    with page.expect_download() as info:
        page.locator(".cr-summary-pdf").click()
    assert open(info.value.path(), "rb").read(5) == b"%PDF-"
    screenshot(page, "classroom_08_solo_debrief")
    ctx.close()
