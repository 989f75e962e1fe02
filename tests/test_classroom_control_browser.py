"""The teacher in control, in headless Chromium: a student who switches seats is credited with what
they do there and cannot go back and act for their old seat; a ghost left by a lost link is removed
and the clock moves; pausing keeps the time left on the quarter's timer.

Classes are opened (and students joined) in this process on the server's database; everything
after that happens in the browser: the teacher's console from an old ``?c=…&k=…`` link (it signs
the browser in once), the students from their ``/student?t=…`` links.
"""

from __future__ import annotations

import re

import pytest

from app_helpers import new_page, require_chromium, screenshot, serve_classroom
from magnetdiplomacy.classroom import Classroom, Store

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(420)]

require_chromium()

SHORT = {"end": "2027-03"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with serve_classroom(tmp_path_factory.mktemp("control") / "classroom.sqlite", "classroom_control.log") as running:
        yield running


@pytest.fixture
def prepare(server):
    """A classroom on the server's database, to open a class and join students before the pages."""
    room = Classroom(Store(server.db, lock=False), timers=False)  # the server holds the writer lock
    yield room
    room.close()


def page_for(browser, url: str, signs_in: bool = True):
    page = new_page(browser)
    page.goto(url)
    if signs_in:  # an old link signs the browser in once, then its address is swapped for a clean one
        page.wait_for_url(lambda address: "t=" not in address and "k=" not in address)
    return page


def say_done(page) -> None:
    """Press "done" (again if the page was redrawing under the click: the button stays until the
    server has it)."""
    for _ in range(3):
        if page.locator(".cr-waiting").count():
            return
        if page.locator(".cr-ready").count():
            page.locator(".cr-ready").click()
        try:
            page.wait_for_selector(".cr-waiting", timeout=10_000)
            return
        except Exception:  # noqa: BLE001 - playwright's TimeoutError: try once more
            continue
    page.wait_for_selector(".cr-waiting", timeout=5_000)


def click_until(page, selector: str, then: str, tries: int = 3, timeout: float = 20_000) -> None:
    """Click ``selector`` until ``then`` shows (a click can land while the page redraws on a busy
    machine and be lost; the controls used here are safe to press twice)."""
    for _ in range(tries):
        if page.locator(then).count():
            return
        if page.locator(selector).count():
            page.locator(selector).first.click()
        try:
            page.wait_for_selector(then, timeout=timeout)
            return
        except Exception:  # noqa: BLE001 - playwright's TimeoutError: try again
            continue
    page.wait_for_selector(then, timeout=timeout)


def pick_option(page, select: str, option: str, tries: int = 3) -> None:
    """Open a select and choose ``option`` (again if the list was redrawn under the click)."""
    for _ in range(tries):
        page.locator(select).click()
        try:
            page.get_by_role("option", name=option).click(timeout=10_000)
        except Exception:  # noqa: BLE001 - the list was redrawn: open it again
            page.keyboard.press("Escape")
            continue
        if option in page.inner_text(select):
            return
    assert option in page.inner_text(select), f"could not choose {option!r}"


def console(browser, server, class_id: str, key: str):
    page = page_for(browser, server.url + f"teacher?c={class_id}&k={key}")
    page.wait_for_selector(".cr-console")
    return page


def test_a_student_who_switches_seats_is_credited_and_cannot_act_for_the_old_seat(browser, server, prepare):
    class_id, code, key = prepare.create_class("Seats", "roleplay", **SHORT)
    tokens = {}
    for name, seat in (("Ana", "malaysia"), ("Ben", "united_states"), ("Chi", "china")):
        tokens[name] = prepare.join(code, name)
        prepare.claim_seat(tokens[name], seat)
    prepare.start(class_id, key)
    ben = page_for(browser, server.url + f"student?t={tokens['Ben']}")
    chi = page_for(browser, server.url + f"student?t={tokens['Chi']}")
    ben.wait_for_selector(".cr-status[data-seat='united_states']")
    click_until(ben, ".cr-leave", ".cr-take-china")
    click_until(ben, ".cr-take-china", ".cr-status[data-seat='china']")
    ben.locator(".cr-d-controls .cr-c-escalate label").click()
    ben.wait_for_selector(".cr-d-controls .cr-c-escalate input[aria-checked='true']")
    # Chi sees who planned it for the seat
    chi.wait_for_function("() => document.body.innerText.includes('Ben')")
    click_until(ben, ".cr-leave", ".cr-take-united_states")
    click_until(ben, ".cr-take-united_states", ".cr-seat-error")
    assert "China seat this quarter" in ben.inner_text(".cr-seat-error")
    teacher = console(browser, server, class_id, key)
    click_until(teacher, ".cr-advance", ".cr-console[data-quarter='1']")
    chi.wait_for_selector(".cr-status[data-quarter='1']", timeout=60_000)
    chi.wait_for_function("() => document.querySelector('.cr-news').innerText.includes('China (Ben)')")
    assert "China (Chi)" not in chi.inner_text(".cr-news")
    chi.wait_for_function(
        "() => document.querySelector('.cr-history') && document.querySelector('.cr-history').innerText.includes('Ben')"
    )
    screenshot(chi, "classroom_control_01_credited")


def test_a_removed_ghost_no_longer_blocks_the_clock(browser, server, prepare):
    class_id, code, key = prepare.create_class("Ghost", "individual", **SHORT)
    ghost = prepare.join(code, "Ana")
    ben = prepare.join(code, "Ben")
    again = prepare.join(code, "Ana")  # Ana lost her link and joined again
    prepare.start(class_id, key)
    for token in (ben, again):
        page = page_for(browser, server.url + f"student?t={token}")
        page.wait_for_selector(".cr-ready")
        say_done(page)
    teacher = console(browser, server, class_id, key)
    teacher.wait_for_selector(".cr-console[data-done='2'][data-expected='3'][data-quarter='0']")
    teacher.locator(".cr-roster-pick").click()
    teacher.get_by_role("option").first.wait_for()
    options = teacher.get_by_role("option").all_inner_texts()
    first_ana = next(text for text in options if text.startswith("Ana, #1 of 2"))
    teacher.keyboard.press("Escape")
    pick_option(teacher, ".cr-roster-pick", first_ana)
    click_until(teacher, ".cr-remove", ".cr-remove-confirm")
    click_until(teacher, ".cr-remove-confirm", ".cr-console[data-quarter='1']", timeout=30_000)
    ghost_page = page_for(browser, server.url + f"student?t={ghost}", signs_in=False)
    ghost_page.wait_for_selector(".cr-denied, .cr-error")
    assert "taken you off" in ghost_page.inner_text(".cr-denied, .cr-error")
    screenshot(teacher, "classroom_control_02_ghost_removed")


def test_pause_and_resume_keep_the_time_left(browser, server, prepare):
    class_id, code, key = prepare.create_class("Timer", "roleplay", timer_s=120, **SHORT)
    prepare.claim_seat(prepare.join(code, "Ana"), "malaysia")
    prepare.start(class_id, key)
    teacher = console(browser, server, class_id, key)
    teacher.wait_for_selector(".cr-countdown")
    teacher.wait_for_function("() => /1:(4\\d|3\\d)/.test(document.querySelector('.cr-countdown').innerText)")
    teacher.locator(".cr-pause").click()
    teacher.wait_for_selector(".cr-paused-left")
    left = int(teacher.locator(".cr-paused-left").get_attribute("data-left"))
    assert 60 <= left <= 110
    teacher.wait_for_timeout(3_000)  # time passes while paused
    teacher.locator(".cr-resume").click()
    teacher.wait_for_selector(".cr-countdown")
    shown = teacher.inner_text(".cr-countdown")
    minutes, seconds = map(int, re.match(r"(\d+):(\d\d)", shown).groups())
    assert left - 3 <= minutes * 60 + seconds <= left, (left, shown)


def test_a_scripts_own_end_is_the_default_and_news_length_is_shown(browser, server):
    page = new_page(browser)
    page.goto(server.url + "teacher")
    page.wait_for_selector(".cr-create")
    page.locator(".cr-class-name input").fill("Lesson 90")
    page.locator(".cr-class-script").click()
    page.get_by_role("option", name="October 2025: escalation and truce").click()
    page.wait_for_function("() => document.querySelector('.cr-class-end').innerText.includes(\"The script's own end\")")
    page.locator(".cr-create").click()
    page.wait_for_selector(".cr-console")
    assert "Quarter 1 of 8" in page.inner_text(".cr-console")  # August 2025 to July 2027, not to 2030
    page.get_by_role("tab", name="News & injects").click()
    page.locator(".cr-adhoc-headline input").fill("x" * 130)
    page.wait_for_function("() => document.querySelector('.cr-adhoc-headline').innerText.includes('130 of 120')")
    page.locator(".cr-adhoc-fire").click()
    page.wait_for_selector(".cr-error")
    assert "keep it to 120" in page.inner_text(".cr-error")
