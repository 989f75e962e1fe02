"""Signing in, in headless Chromium: no key or seat token in any page address, a reload keeps the
console or the seat, another browser at the same address is refused, the key is shown once, an old
link with a secret works once and leaves no trace in the history, and wrong join codes are limited.

One server (``classroom.py`` with its database in a temporary folder); each browser context has its
own cookies, as on its own computer. Screenshots go to ``artifacts/screenshots/classroom_auth_*.png``.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest

from app_helpers import new_page, require_chromium, screenshot, serve_classroom
from magnetdiplomacy.classroom import Classroom, Store
from magnetdiplomacy.classroom.auth import BROWSER_FAILURES

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(300)]

require_chromium()

VIEWPORT = {"width": 1366, "height": 900}


class Site:
    """The server and what the tests learn as they go (shared by the tests of this module, in order)."""

    def __init__(self, server) -> None:
        self.server = server
        self.db = server.db
        self.class_id = self.code = self.key = ""

    @property
    def url(self) -> str:
        return self.server.url


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    db = tmp_path_factory.mktemp("classroom_auth") / "classroom.sqlite"
    with serve_classroom(db, "classroom_auth_server.log") as server:
        yield Site(server)


@pytest.fixture
def new_browser(browser):
    """A function making a page in a browser context of its own (its own cookies: another computer)."""
    made = []

    def make():
        page = new_page(browser, viewport=VIEWPORT)
        made.append(page.context)
        return page

    yield make
    for ctx in made:
        ctx.close()


def no_secret_in(url: str, *secrets: str) -> bool:
    query = parse_qs(urlparse(url).query)
    return "k" not in query and "t" not in query and not any(s and s in url for s in secrets)


def test_the_teacher_signs_in_once_and_the_address_never_holds_the_key(site, new_browser):
    page = new_browser()
    page.goto(site.url + "teacher")
    page.locator(".cr-class-name input").fill("Form 5 Economics")
    page.locator(".cr-create").click()
    page.wait_for_selector(".cr-console")
    site.key = page.inner_text(".cr-key")
    site.code = page.locator(".cr-console").get_attribute("data-code")
    site.class_id = parse_qs(urlparse(page.url).query)["c"][0]
    assert "Copy it now" in page.inner_text(".cr-key-banner")
    assert urlparse(page.url).query == f"c={site.class_id}" and no_secret_in(page.url, site.key)
    assert page.inner_text(".cr-code") == f"{site.code[:4]}-{site.code[4:]}"
    assert "solara-session-id" not in page.evaluate("document.cookie")  # the page's scripts cannot read it
    screenshot(page, "classroom_auth_01_key_shown_once")
    # a reload keeps the console, and the key does not come back
    page.reload()
    page.wait_for_selector(".cr-console")
    assert page.locator(".cr-key-banner").count() == 0 and page.locator(".cr-hide-key").count() == 0
    assert site.key not in page.content()
    console = page.url
    # another browser at the same address is refused and shown the sign-in form
    other = new_browser()
    other.goto(console)
    other.wait_for_selector(".cr-denied")
    assert other.locator(".cr-signin").count() == 1 and other.locator(".cr-advance").count() == 0
    assert "teacher's key" in other.inner_text(".cr-denied")
    screenshot(other, "classroom_auth_02_other_browser_refused")
    # signing in there with the code and the key: the console, without the key in the address
    other.locator(".cr-signin-code input").fill(site.code.lower())
    other.locator(".cr-signin-key input").fill(site.key)
    other.locator(".cr-signin").click()
    other.wait_for_selector(".cr-console")
    assert urlparse(other.url).query == f"c={site.class_id}" and no_secret_in(other.url, site.key)
    other.reload()
    other.wait_for_selector(".cr-console")
    assert other.locator(".cr-key-banner").count() == 0
    # signing out ends that browser's sign-in, not the first one's
    other.locator(".cr-sign-out").click()
    other.wait_for_selector(".cr-signin")
    other.goto(console)
    other.wait_for_selector(".cr-denied")
    page.reload()
    page.wait_for_selector(".cr-console")


def test_an_old_link_with_the_key_signs_in_once_and_leaves_no_trace_in_the_history(site, new_browser):
    page = new_browser()
    page.goto(site.url + f"teacher?c={site.class_id}&k={site.key}")
    page.wait_for_selector(".cr-console")
    page.wait_for_function("() => !location.search.includes('k=')")
    assert no_secret_in(page.url, site.key)
    page.go_back()
    assert site.key not in page.url  # the keyed address was replaced, not pushed
    page.goto(site.url + f"teacher?c={site.class_id}")
    page.wait_for_selector(".cr-console")  # this browser is signed in now


def test_a_student_joins_without_a_token_in_the_address_and_comes_back_by_browser_or_return_code(site, new_browser):
    page = new_browser()
    page.goto(site.url + f"join?code={site.code.lower()}")
    page.locator(".cr-join-name input").fill("Ana")
    page.locator(".cr-join").click()
    page.wait_for_selector(".cr-seats")
    assert urlparse(page.url).path == "/student" and no_secret_in(page.url)
    page.locator(".cr-take-malaysia").click()
    page.wait_for_selector(".cr-status[data-seat='malaysia']")
    code = page.inner_text(".cr-return-code-shown")
    assert code not in page.url
    # a reload, and a new tab in the same browser, keep the seat
    address = page.url
    page.reload()
    page.wait_for_selector(".cr-status[data-seat='malaysia']")
    assert page.url == address
    tab = page.context.new_page()
    tab.goto(site.url + "student")
    tab.wait_for_selector(".cr-status[data-seat='malaysia']")
    # another computer: the address alone is refused; the return code brings Ana back
    other = new_browser()
    other.goto(address)
    other.wait_for_selector(".cr-denied")
    other.locator(".cr-have-return-code").click()
    other.locator(".cr-return-code input").fill(code.lower())
    other.locator(".cr-return").click()
    other.wait_for_selector(".cr-status[data-seat='malaysia']")
    assert "Ana" in other.inner_text(".cr-status") and no_secret_in(other.url, code)
    screenshot(other, "classroom_auth_03_back_with_return_code")


def test_an_old_seat_link_works_once_and_leaves_no_trace_in_the_history(site, new_browser):
    room = Classroom(Store(site.db, lock=False), timers=False)  # a class the server has not loaded yet
    _, code, _ = room.create_class("Link class", "individual", end="2027-03")
    token = room.join(code, "Eve")
    room.store.close()
    page = new_browser()
    page.goto(site.url + f"student?t={token}")
    page.wait_for_selector(".cr-decisions")
    page.wait_for_function("() => !location.search.includes('t=')")
    assert no_secret_in(page.url, token) and "Eve" in page.inner_text(".cr-status")
    page.go_back()
    assert token not in page.url
    again = new_browser()
    again.goto(site.url + f"student?t={token}")
    again.wait_for_selector(".cr-denied")
    assert "used already" in again.inner_text(".cr-denied")


def test_a_solo_game_keeps_no_token_in_the_address(site, new_browser):
    page = new_browser()
    page.goto(site.url)
    page.locator(".cr-solo-name input").fill("Dana")
    page.locator(".cr-solo-start").click()
    page.wait_for_selector(".cr-decisions")
    assert urlparse(page.url).path == "/student" and no_secret_in(page.url)
    page.reload()
    page.wait_for_selector(".cr-decisions")
    assert "Dana" in page.inner_text(".cr-status") and page.locator(".cr-return-code-shown").count() == 1


def error_text(page) -> str:
    return page.evaluate("() => (document.querySelector('.cr-error') || {}).innerText || ''")


def test_the_eleventh_wrong_join_code_in_a_minute_is_refused_with_the_wait_message(site, new_browser):
    page = new_browser()
    page.goto(site.url + "join")
    page.locator(".cr-join-name input").fill("Guesser")
    for i in range(BROWSER_FAILURES):  # the page handles clicks in order, each with the code typed before it
        page.locator(".cr-join-code input").fill(f"ZZZZ-ZZ{i + 2}")
        page.locator(".cr-join").click()
    # switching to the return-code form is handled after those ten: the message then is the tenth's
    page.locator(".cr-have-return-code").click()
    page.wait_for_selector(".cr-return-code")
    assert "does not open a class" in error_text(page)
    page.locator(".cr-join-instead").click()
    page.locator(".cr-join-code input").fill("ZZZZ-ZZZZ")  # the eleventh wrong code
    page.locator(".cr-join").click()
    page.wait_for_function("() => ((document.querySelector('.cr-error') || {}).innerText || '').startsWith('Too')")
    assert re.fullmatch(r"Too many attempts: wait \d+ s and try again\.", error_text(page))
    page.locator(".cr-join-code input").fill(site.code)  # even the right code, until the minute is over
    page.locator(".cr-join").click()
    page.locator(".cr-have-return-code").click()
    page.wait_for_selector(".cr-return-code")
    assert error_text(page).startswith("Too many attempts") and urlparse(page.url).path == "/join"
    screenshot(page, "classroom_auth_04_too_many_attempts")
