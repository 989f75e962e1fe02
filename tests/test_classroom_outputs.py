"""What the classroom hands out keeps every name as data: CSV cells a spreadsheet would run as a
formula are neutralised (numbers stay numbers), PDF summaries print ``$`` and prices as written with
dates that do not overlap, invisible direction characters leave names; a page or a download that
fails shows one line and logs the traceback; the lesson materials print as PDF handouts."""

from __future__ import annotations

import csv
import io
import logging
import re
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from magnetdiplomacy.classroom import ClassError, Classroom, Store
from magnetdiplomacy.classroom.export import (
    UTF8_BOM,
    results_csv,
    scorecard_csv,
    scores_csv,
    spreadsheet_cell,
    summaries_pdf,
)
from magnetdiplomacy.classroom.records import MAX_NAME, clean_name, visible_text
from magnetdiplomacy.cli import app

ROOT = Path(__file__).resolve().parents[1]
DOLLARS = "Mo $$ money"
FORMULA = "=cmd|' /C calc'!A0"
RTL_OVERRIDE = "\u202eعلي gnp.exe"  # shows as "exe.png علي" where the override is kept
ARABIC = "علي gnp.exe"
CLASS_NAME = "Kelas 5 $$"


@pytest.fixture(scope="module")
def played(tmp_path_factory):
    """A role-play class of four with awkward names, two quarters played (Lynas seat taken: its page
    shows prices as "US$59/kg / US$59/kg")."""
    room = Classroom(Store(tmp_path_factory.mktemp("outputs") / "classroom.sqlite"), timers=False)
    class_id, code, key = room.create_class(CLASS_NAME, "roleplay", end="2026-12")
    tokens = {}
    for name, seat in ((DOLLARS, "malaysia"), (FORMULA, "united_states"), (RTL_OVERRIDE, "china"), ("$_$", "lynas")):
        tokens[name] = room.join(code, name)
        room.claim_seat(tokens[name], seat)
    room.start(class_id, key)
    room.choose(tokens[DOLLARS], "lean", "lean_us50")
    room.advance(class_id, key)
    room.advance(class_id, key)
    yield room.teacher(class_id, key), tokens, room
    room.close()


def rows_of(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def assert_no_formula(rows: list[list[str]]) -> None:
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")) or is_number(cell), (cell, row)


# ---- CSV -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell, expected",
    [
        (FORMULA, "'" + FORMULA),
        ('=HYPERLINK("http://evil.example","x")', '\'=HYPERLINK("http://evil.example","x")'),
        ("+1+1", "'+1+1"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-", "'-"),
        ("\u202e=1+1", "'=1+1"),  # an invisible character does not hide a formula
        ("-0.25", "-0.25"),
        ("+3", "+3"),
        ("-1.76265e+08", "-1.76265e+08"),
        ("-.5", "-.5"),
        ("Ana", "Ana"),
        (DOLLARS, DOLLARS),
        ("", ""),
        (-0.25, -0.25),
        (3, 3),
        (None, None),
    ],
)
def test_a_spreadsheet_cell_is_data_and_numbers_stay_numbers(cell, expected):
    assert spreadsheet_cell(cell) == expected


def test_every_csv_keeps_names_as_data(played):
    session, _, _ = played
    results = rows_of(results_csv(session))
    header, body = results[0], results[1:]
    by_name = {row[header.index("participant")]: row for row in body}
    assert {DOLLARS, "'" + FORMULA, ARABIC, "$_$"} <= set(by_name)
    assert all(row[header.index("class")] == CLASS_NAME for row in body)
    assert not any("\u202e" in cell for row in results for cell in row)
    assert_no_formula(results)
    for column in ("alignment_end", "direct_jobs_end", "exports_usd", "us_tariff_malaysia_end"):
        assert all(is_number(row[header.index(column)]) for row in body), column  # numbers stay numbers
    first = next(row for row in body if row[header.index("participant")] == DOLLARS)
    assert first[header.index("decisions")] == "How far to lean: Lean towards the US"

    scores = rows_of(scores_csv(session))
    participants = [row[0] for row in scores[1:]]
    assert "'" + FORMULA in participants and ARABIC in participants and DOLLARS in participants
    assert_no_formula(scores)
    assert all(is_number(row[scores[0].index("total")]) for row in scores[1:])

    formula_member = next(m for m in session.members.values() if m.name == FORMULA)
    card = rows_of(scorecard_csv(session, [formula_member]))
    assert card[1][0] == "'" + FORMULA and card[-1][0] == "The model's own Malaysia (same seed)"
    assert_no_formula(card)
    assert any(is_number(row[card[0].index("value")]) for row in card[1:])


def test_csv_for_spreadsheets_starts_with_a_bom_and_still_reads(played):
    session, _, _ = played
    plain, marked = results_csv(session), results_csv(session, bom=True)
    assert not plain.startswith(UTF8_BOM.encode()) and marked.startswith(UTF8_BOM.encode())
    assert marked.decode("utf-8-sig") == plain.decode("utf-8")
    frame = pd.read_csv(io.BytesIO(marked))
    assert list(frame.columns[:3]) == ["class", "mode", "participant"] and ARABIC in set(frame["participant"])
    for make in (scores_csv, scorecard_csv):
        data = make(session, bom=True)
        assert data.startswith(UTF8_BOM.encode()) and next(csv.reader(io.StringIO(data.decode("utf-8-sig"))))[0] == (
            "participant"
        )


# ---- PDF -------------------------------------------------------------------------------------


def test_pdf_summaries_print_names_and_prices_as_written(played):
    session, _, _ = played
    pdf = summaries_pdf(session)
    assert pdf.startswith(b"%PDF-")
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    assert len(pages) == 4
    text = "\n".join(pages)
    assert f"{DOLLARS} — Malaysia — class: {CLASS_NAME}" in text  # not mathtext: the $ signs stay
    assert FORMULA in text and "gnp.exe" in text and "$_$ — Lynas" in text
    assert "\u202e" not in text and "exe.png" not in text
    lynas = next(page for page in pages if "$_$ — Lynas" in page)
    assert re.search(r"US\$\d+/kg / US\$\d+/kg", lynas), lynas  # "US$59/kg / US$59/kg", not "US59/kg/US59/kg"


def test_pdf_summary_dates_do_not_overlap(played):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from magnetdiplomacy.classroom.export import _page
    from magnetdiplomacy.classroom.game import debrief

    session, _, _ = played
    member = next(iter(session.members.values()))
    fig = Figure(figsize=(8.27, 11.69))
    _page(fig, session, member, debrief(session, member))
    renderer = FigureCanvasAgg(fig).get_renderer()
    charts = [ax for ax in fig.axes if ax.get_title()]
    assert len(charts) == 2
    for ax in charts:
        labels = [t for t in ax.get_xticklabels() if t.get_visible() and t.get_text()]
        boxes = sorted((t.get_window_extent(renderer) for t in labels), key=lambda box: box.x0)
        assert len(boxes) >= 2
        for left, right in zip(boxes, boxes[1:], strict=False):
            assert left.x1 < right.x0, [t.get_text() for t in labels]


# ---- names ---------------------------------------------------------------------------------------


def test_clean_name_drops_invisible_characters_and_keeps_every_script():
    assert clean_name(RTL_OVERRIDE) == ARABIC
    assert clean_name("שלום עולם") == "שלום עולם" and clean_name("محمد علي") == "محمد علي"
    assert clean_name("Ana\u200b\u200d\u200e\u200f") == "Ana"
    assert clean_name("\u202aA\u202b\u202c\u202d\u2066b\u2067\u2068\u2069") == "Ab"
    assert clean_name("Ana\u2028Lee\u2029Q") == "Ana Lee Q"  # line and paragraph separators are spaces
    assert clean_name("\ufeffAna\x00\x1b") == "Ana"
    assert clean_name("  many   spaces\tand\ntabs ") == "many spaces and tabs"
    assert clean_name("e\u0301") == "é" and clean_name("李小龙") == "李小龙"
    assert clean_name("x" * 100) == "x" * MAX_NAME
    assert visible_text("line one\nline two") == "line one\nline two"
    for nothing in ("", "   ", "\u202e\u200b", "\ufeff\u2066"):
        with pytest.raises(ClassError):
            clean_name(nothing)


def test_joining_and_solo_games_clean_names(tmp_path):
    room = Classroom(Store(tmp_path / "classroom.sqlite"), timers=False)
    try:
        _, code, _ = room.create_class("C", "individual", end="2026-12")
        _, member = room.member(room.join(code, RTL_OVERRIDE))
        assert member.name == ARABIC
        _, player = room.member(room.start_solo("\u2067Dana\u2069\u200b"))
        assert player.name == "Dana"
        with pytest.raises(ClassError):
            room.join(code, "\u202e\u200b")
    finally:
        room.close()


# ---- failures become one line ---------------------------------------------------------------------


def widget_texts(widget, out: list[str]) -> list[str]:
    import ipywidgets

    for attr in ("unsafe_innerHTML", "value", "label"):
        value = getattr(widget, attr, None)
        if isinstance(value, str):
            out.append(value)
    for child in getattr(widget, "children", None) or ():
        if isinstance(child, ipywidgets.Widget):
            widget_texts(child, out)
        elif isinstance(child, str):
            out.append(child)
    return out


def test_a_page_that_fails_shows_one_line_and_logs_the_traceback(caplog):
    import ipyvuetify
    import solara

    from magnetdiplomacy.classroom.pages.errors import PAGE_FAILED, ErrorBoundary

    broken = solara.reactive(True)

    @solara.component
    def Fragile():
        if broken.value:
            raise ValueError("no such thing in /srv/secret/app.py")
        solara.Text("All good")

    @solara.component
    def Host():
        ErrorBoundary(children=[Fragile()])

    with caplog.at_level(logging.ERROR, logger="magnetdiplomacy.classroom"):
        box, rc = solara.render(Host(), handle_error=False)
    try:
        shown = " ".join(widget_texts(box, []))
        assert PAGE_FAILED in shown and "Try again" in shown
        assert "Traceback" not in shown and "/srv/secret" not in shown and "ValueError" not in shown
        logged = [r for r in caplog.records if r.name == "magnetdiplomacy.classroom"]
        assert logged and logged[0].exc_info and "/srv/secret/app.py" in caplog.text
        broken.value = False
        rc.find(ipyvuetify.Btn).widget.click()
        assert "All good" in " ".join(widget_texts(box, [])) and PAGE_FAILED not in " ".join(widget_texts(box, []))
    finally:
        rc.close()


def test_a_download_that_fails_says_so_and_the_next_click_works(caplog):
    import solara
    from solara.components.file_download import FileDownloadWidget

    from magnetdiplomacy.classroom.pages.errors import SafeDownload, download_failed_text

    calls = []

    def make() -> bytes:
        calls.append(1)
        if len(calls) == 1:
            raise ValueError("mathtext went wrong in /srv/secret/export.py")
        return b"participant\nAna\n"

    @solara.component
    def Host():
        SafeDownload(make, "class_results.csv", "text/csv", "Results", "cr-download-results")

    box, rc = solara.render(Host(), handle_error=False)
    try:
        widget = rc.find(FileDownloadWidget).widget
        with caplog.at_level(logging.ERROR, logger="magnetdiplomacy.classroom"):
            widget.request_download = True
            wait_for(lambda: download_failed_text("class_results.csv") in " ".join(widget_texts(box, [])))
        assert widget.request_download is False and widget.bytes is None  # the next click asks again
        assert "/srv/secret/export.py" in caplog.text and "Traceback" not in " ".join(widget_texts(box, []))
        widget.request_download = True
        wait_for(lambda: widget.bytes == b"participant\nAna\n")
        assert download_failed_text("class_results.csv") not in " ".join(widget_texts(box, []))
    finally:
        rc.close()


def wait_for(condition, timeout_s: float = 20.0) -> None:
    deadline = time.time() + timeout_s
    while not condition():
        assert time.time() < deadline, "timed out"
        time.sleep(0.05)


# ---- handouts --------------------------------------------------------------------------------------


def test_handouts_print_every_classroom_document(tmp_path):
    out = tmp_path / "handouts"
    result = CliRunner().invoke(app, ["handouts", "--out", str(out)])
    assert result.exit_code == 0, result.output
    sources = sorted((ROOT / "docs" / "classroom").glob("*.md"))
    assert len(sources) >= 10
    assert sorted(p.name for p in out.iterdir()) == sorted(p.with_suffix(".pdf").name for p in sources)
    for source in sources:
        reader = PdfReader(out / source.with_suffix(".pdf").name)
        first = reader.pages[0].extract_text()
        title = next(line[2:] for line in source.read_text(encoding="utf-8").splitlines() if line.startswith("# "))
        assert " ".join(title.split()[:3]) in " ".join(first.split()), source.name
        assert reader.metadata.title == title
    worksheet = " ".join(PdfReader(out / "worksheet_45.pdf").pages[0].extract_text().split())
    assert "what I changed expected (from the table) what happened" in worksheet  # the Q2 table's header
    assert "worksheet_45.md" not in " ".join(PdfReader(out / "lesson_45.pdf").pages[0].extract_text().split())
    slip = [page.extract_text() for page in PdfReader(out / "lesson_first.pdf").pages]
    assert sum("Student slip" in text for text in slip) == 1
    assert next(text for text in slip if "Student slip" in text).lstrip().startswith("Student slip")  # a new page
    assert f"wrote {len(sources)} PDF handouts" in result.output


def test_handouts_refuse_an_output_that_is_not_a_folder(tmp_path):
    a_file = tmp_path / "notes.txt"
    a_file.write_text("mine")
    for out in (a_file, a_file / "handouts"):
        result = CliRunner().invoke(app, ["handouts", "--out", str(out)])
        assert result.exit_code == 2, result.output
        message = result.output.strip()
        assert message.startswith("error:") and len(message.splitlines()) == 1, message
        assert "Traceback" not in result.output
    assert a_file.read_text() == "mine"
    empty = tmp_path / "empty"
    empty.mkdir()
    result = CliRunner().invoke(app, ["handouts", "--docs", str(empty), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "no Markdown files" in result.output


def test_a_handout_is_replaced_whole(tmp_path):
    from magnetdiplomacy.handouts import write_files

    (tmp_path / "a.pdf").write_bytes(b"old")
    write_files(tmp_path, {"a.pdf": b"new", "b.pdf": b"bee"})
    assert (tmp_path / "a.pdf").read_bytes() == b"new" and (tmp_path / "b.pdf").read_bytes() == b"bee"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.pdf", "b.pdf"]  # no partial file left


def test_the_handouts_command_line_stays_light():
    code = (
        "import sys\nfrom magnetdiplomacy.cli import main\nsys.argv = ['magnetdiplomacy', 'handouts', '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print([m for m in ('fpdf', 'matplotlib', 'numpy', 'magnetdiplomacy.classroom') "
        "if m in sys.modules])"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "--out" in proc.stdout, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "[]"
