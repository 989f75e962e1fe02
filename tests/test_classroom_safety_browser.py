"""Names are data through a whole class, in headless Chromium.

A teacher opens an individual class named ``Kelas 5 $$``; three students join as ``Mo $$ money``,
``=cmd|' /C calc'!A0`` and a right-to-left override followed by an Arabic name; they play two
quarters and the teacher ends the class. The teacher downloads the results CSV and the one-page
summaries (PDF), a student downloads their own summary: every file is made, names are written as
typed (no formula in a CSV cell, ``$`` signs in the PDF, no direction override), and no page ever
shows a traceback or a server path. Screenshots go to ``artifacts/screenshots/classroom_safety_*.png``.
"""

from __future__ import annotations

import csv
import io

import pytest

from app_helpers import ARTIFACTS, ROOT, new_page, require_chromium, screenshot, serve_classroom

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(480)]

require_chromium()

CLASS_NAME = "Kelas 5 $$"
STUDENTS = {"mo": "Mo $$ money", "eq": "=cmd|' /C calc'!A0", "ali": "\u202eعلي gnp.exe"}
SHOWN = {"mo": "Mo $$ money", "eq": "=cmd|' /C calc'!A0", "ali": "علي gnp.exe"}  # as the class keeps them
LEAKS = ("Traceback", "site-packages", 'File "/', '.py", line', str(ROOT))


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with serve_classroom(
        tmp_path_factory.mktemp("classroom_safety") / "classroom.sqlite", "classroom_safety_server.log"
    ) as running:
        yield running


def assert_no_leak(page, where: str) -> None:
    text = page.inner_text("body")
    for leak in LEAKS:
        assert leak not in text, f"{where}: the page shows {leak!r}"


def choose(page, label: str) -> None:
    page.get_by_role("option", name=label).click()


def open_class(page, url: str) -> str:
    """Open an individual class through the console's form; returns the join code."""
    page.goto(url + "teacher")
    page.wait_for_selector(".cr-create")
    page.locator(".cr-class-name input").fill(CLASS_NAME)
    page.locator(".cr-class-mode").click()
    choose(page, "Individual: everyone plays Malaysia")
    page.locator(".cr-create").click()
    page.wait_for_selector(".cr-console")
    return page.locator(".cr-console").get_attribute("data-code")


def join(page, url: str, code: str, name: str) -> None:
    page.goto(url + f"join?code={code}")
    page.locator(".cr-join-name input").fill(name)
    page.locator(".cr-join").click()
    page.wait_for_selector(".cr-decisions")


def play_quarter(pages: dict, teacher, quarter: int) -> None:
    for page in pages.values():
        page.wait_for_selector(f".cr-status[data-quarter='{quarter}']")
        page.locator(".cr-ready").click()
    for page in (*pages.values(), teacher):
        page.wait_for_selector(f".cr-status[data-quarter='{quarter + 1}']", timeout=60_000)


def read_csv(path) -> tuple[bytes, list[list[str]]]:
    data = open(path, "rb").read()
    return data, list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def pdf_text(path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_awkward_names_through_a_whole_class_and_every_download(server, browser):
    teacher = new_page(browser)
    code = open_class(teacher, server.url)
    assert code
    teacher.locator(".cr-start").click()
    teacher.wait_for_selector(".cr-console[data-status='running']")
    students = {}
    for who, name in STUDENTS.items():
        students[who] = new_page(browser)
        join(students[who], server.url, code, name)
    teacher.wait_for_function("() => document.querySelectorAll('.cr-roster .cr-member').length === 3")
    roster = {row.get_attribute("data-name") for row in teacher.locator(".cr-roster .cr-member").all()}
    assert roster == set(SHOWN.values())  # the right-to-left override is gone, the Arabic name kept
    lean = students["mo"].locator(".cr-d-lean [class*='cr-c-lean_us']").first
    lean_label = lean.inner_text().strip()
    lean.locator("label").click()
    lean.locator("input[aria-checked='true']").wait_for()
    play_quarter(students, teacher, 0)
    play_quarter(students, teacher, 1)
    screenshot(teacher, "classroom_safety_01_console")

    teacher.locator(".cr-end").click()
    teacher.locator(".cr-end-confirm").click()
    teacher.wait_for_selector(".cr-console[data-status='finished'], .cr-console[data-status='closed']")
    for who, page in students.items():
        page.wait_for_selector(".cr-debrief")
        assert_no_leak(page, f"{who}'s debrief")

    teacher.get_by_role("tab", name="Downloads").click()
    with teacher.expect_download(timeout=120_000) as info:
        teacher.locator(".cr-download-results").click()
    raw, rows = read_csv(info.value.path())
    assert raw.startswith("\ufeff".encode())  # spreadsheets read the Arabic name as UTF-8
    header = rows[0]
    participants = {row[header.index("participant")] for row in rows[1:]}
    assert {SHOWN["mo"], "'" + SHOWN["eq"], SHOWN["ali"]} <= participants
    assert all(row[header.index("class")] == CLASS_NAME for row in rows[1:])
    assert not any(cell.startswith(("=", "@")) for row in rows for cell in row)
    assert "\u202e" not in raw.decode("utf-8-sig")

    with teacher.expect_download(timeout=120_000) as info:
        teacher.locator(".cr-download-summaries").click()
    path = info.value.path()
    assert open(path, "rb").read(5) == b"%PDF-"
    text = pdf_text(path)
    assert f"{SHOWN['mo']} — Malaysia — class: {CLASS_NAME}" in text and SHOWN["eq"] in text and "gnp.exe" in text
    assert "\u202e" not in text
    assert teacher.locator(".cr-download-error").count() == 0
    assert_no_leak(teacher, "the console after the downloads")
    screenshot(teacher, "classroom_safety_02_downloads")

    mo = students["mo"]
    with mo.expect_download(timeout=120_000) as info:
        mo.locator(".cr-summary-pdf").click()
    own = pdf_text(info.value.path())
    assert "Mo $$ money — Malaysia" in own and lean_label in own
    assert_no_leak(mo, "the student's debrief after the download")
    screenshot(mo, "classroom_safety_03_student_debrief")
    log = (ARTIFACTS / "classroom_safety_server.log").read_text(encoding="utf-8", errors="replace")
    assert "ParseException" not in log and "Could not make the download" not in log
    for page in (teacher, *students.values()):
        page.context.close()
