"""Printable handouts: the classroom materials (``docs/classroom/*.md``: lesson plans, worksheets,
role cards, background, facilitator notes, debrief questions) as PDF, one file per document::

    uv run magnetdiplomacy handouts                 # into runs/handouts/
    uv run magnetdiplomacy handouts --out handouts  # or any folder

Offline: Markdown is read with markdown-it-py and the pages are laid out with fpdf2 in the DejaVu
fonts matplotlib ships. Tables are drawn as tables (columns as wide as their text needs; the empty
rows of a worksheet tall enough to write in), links to other materials name the matching PDF, a
line ``<!-- new page -->`` starts a new page (a student slip, a role card), and every file is written
to a temporary name first and renamed, so a folder never holds a half-written handout.

The command line imports this module on every call, so it stays light: markdown-it, fpdf2,
matplotlib and rich's progress bars are imported when the command runs.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console

if TYPE_CHECKING:
    from fpdf import FPDF
    from markdown_it.token import Token

DOCS = Path(__file__).resolve().parents[2] / "docs" / "classroom"
DEFAULT_OUT = Path("runs") / "handouts"
# The order in which they are made (anything else follows in alphabetical order).
ORDER = (
    "README.md", "lesson_first.md", "lesson_45.md", "worksheet_45.md", "lesson_90.md", "worksheet_90.md",
    "role_cards.md", "unit.md", "worksheet_unit.md", "background.md", "facilitator_notes.md",
    "debrief_questions.md",
)  # fmt: skip
BODY_PT = 10.0
TABLE_PT = 8.8
WRITING_ROW_MM = 9.0  # a worksheet's empty row: room for a line of handwriting
GREEN = (11, 61, 46)
NEW_PAGE = "<!-- new page -->"  # in a Markdown file: the handout goes on on a new page (nothing shows on screen)

console = Console()
errors = Console(stderr=True)


class HandoutError(ValueError):
    """A user mistake: no Markdown to print, an output folder that cannot be written."""


@dataclass(frozen=True)
class Handout:
    """One document: where it comes from, its title and the PDF's file name."""

    source: Path
    title: str

    @property
    def pdf_name(self) -> str:
        return self.source.with_suffix(".pdf").name


def _fail(message: str) -> None:
    errors.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


def handouts_command(
    out: Path = typer.Option(DEFAULT_OUT, "--out", help="Folder for the PDFs (created if needed)."),
    docs: Path = typer.Option(DOCS, "--docs", help="Folder of the Markdown materials.", show_default=False),
) -> None:
    """Print the classroom materials (docs/classroom/*.md) as PDF handouts, one per document."""
    try:
        handouts = find_handouts(docs)
        check_out_folder(out)
    except HandoutError as err:
        _fail(str(err))
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    made: dict[str, bytes] = {}
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), console=console) as bar:
        task = bar.add_task("handouts", total=len(handouts))
        for handout in handouts:
            bar.update(task, description=handout.pdf_name)
            try:
                made[handout.pdf_name] = render_pdf(handout)
            except Exception as err:  # a layout fpdf2 cannot draw: name the document, write nothing
                errors.print(f"[bold red]error:[/] could not lay out {handout.source}: {err!r}", highlight=False)
                raise typer.Exit(1) from None
            bar.advance(task)
    try:
        written = write_files(out, made)
    except OSError as err:
        _fail(f"could not write to {out}: {err.strerror or err}")
    console.print(f"wrote {len(written)} PDF handouts to [bold]{out}[/]", highlight=False)


def find_handouts(docs: Path) -> list[Handout]:
    """The Markdown documents of ``docs``, lesson plans first."""
    if not docs.is_dir():
        raise HandoutError(f"{docs} is not a folder of Markdown materials (give --docs)")
    sources = sorted(docs.glob("*.md"), key=lambda p: (ORDER.index(p.name) if p.name in ORDER else len(ORDER), p.name))
    if not sources:
        raise HandoutError(f"no Markdown files (*.md) in {docs}")
    return [Handout(path, _title(path)) for path in sources]


def _title(path: Path) -> str:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return path.stem.replace("_", " ")


def check_out_folder(out: Path) -> None:
    """Make ``out`` (a folder) or say in one line why it cannot be written to."""
    if out.exists() and not out.is_dir():
        raise HandoutError(f"--out {out} is a file, not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise HandoutError(f"cannot make the folder {out}: {err.strerror or err}") from None
    if not os.access(out, os.W_OK | os.X_OK):
        raise HandoutError(f"cannot write to the folder {out}")


def write_files(out: Path, files: dict[str, bytes]) -> list[Path]:
    """Write each file to a temporary name in ``out``, then rename it into place (a reader never sees
    half a file; a failure leaves the earlier version)."""
    written = []
    for name, data in files.items():
        final = out / name
        partial = out / f".{name}.{os.getpid()}.partial"
        try:
            partial.write_bytes(data)
            os.replace(partial, final)
        finally:
            partial.unlink(missing_ok=True)
        written.append(final)
    return written


# ---- Markdown to PDF ------------------------------------------------------------------------------


def render_pdf(handout: Handout) -> bytes:
    """The PDF of one document."""
    from markdown_it import MarkdownIt

    markdown = MarkdownIt("commonmark").enable("table")
    pdf = _new_pdf(handout.title)
    pdf.add_page()
    tokens = markdown.parse(handout.source.read_text(encoding="utf-8"))
    _unlink_local(tokens, {p.name for p in handout.source.parent.glob("*.md")})
    for token in tokens:  # fpdf2 drops a list item's number before a <p>: lay out every list as a tight one
        if token.type in ("paragraph_open", "paragraph_close") and token.level > 0:
            token.hidden = True
    _write_blocks(pdf, markdown, tokens)
    return bytes(pdf.output())


def _new_pdf(title: str) -> FPDF:
    """An A4 page set up for handouts: DejaVu fonts (any Latin, Greek or Cyrillic text, arrows,
    ticks, stars), margins, a footer with the title and the page number."""
    from importlib.util import find_spec

    from fpdf import FPDF

    matplotlib = find_spec("matplotlib")  # only its fonts: no need to import it
    assert matplotlib is not None and matplotlib.origin is not None
    fonts = Path(matplotlib.origin).parent / "mpl-data" / "fonts" / "ttf"
    pdf = FPDF(format="A4")
    pdf.set_margins(18, 15, 18)
    pdf.set_auto_page_break(True, margin=16)
    for style, file in (("", "DejaVuSans"), ("B", "DejaVuSans-Bold"), ("I", "DejaVuSans-Oblique")):
        pdf.add_font("dejavu", style, fonts / f"{file}.ttf")
    pdf.add_font("dejavu", "BI", fonts / "DejaVuSans-BoldOblique.ttf")
    pdf.add_font("dejavu-mono", "", fonts / "DejaVuSansMono.ttf")
    pdf.set_creator("magnetdiplomacy handouts")
    pdf.set_title(title)
    pdf.set_font("dejavu", size=BODY_PT)

    def footer() -> None:
        pdf.set_y(-11)
        pdf.set_font("dejavu", size=7.5)
        pdf.set_text_color(110)
        pdf.cell(0, 5, f"Magnet diplomacy · {title}", align="L")
        pdf.set_x(pdf.l_margin)
        pdf.cell(0, 5, str(pdf.page_no()), align="R")
        pdf.set_text_color(0)

    setattr(pdf, "footer", footer)  # noqa: B010 (fpdf2 calls pdf.footer() at the end of each page)
    return pdf


def _unlink_local(tokens: Iterable[Token], names: set[str]) -> None:
    """Links to files (``worksheet_45.md``, ``../../configs``) cannot be followed on paper: keep their
    text, naming the PDF handout where one is printed. Web links stay links."""
    for token in tokens:
        if token.type != "inline" or not token.children:
            continue
        kept, local = [], []
        for child in token.children:
            if child.type == "link_open":
                href = str(child.attrGet("href") or "")
                local.append(not href.startswith(("http://", "https://")))
                if local[-1]:
                    continue
            elif child.type == "link_close" and local and local.pop():
                continue
            elif child.type in ("text", "code_inline") and child.content in names:
                child.content = child.content[:-3] + ".pdf"
            kept.append(child)
        token.children = kept


def _write_blocks(pdf: FPDF, markdown: Any, tokens: list[Token]) -> None:
    """Text through fpdf2's HTML layout; tables drawn as tables (:func:`_table`), rules as lines
    (:func:`_rule`)."""
    from fpdf.fonts import FontFace, TextStyle

    styles = {
        # (fpdf2 reads t_margin in mm and b_margin in lines of the heading's size)
        "h1": TextStyle("dejavu", "B", 16, color=GREEN, t_margin=0.01, b_margin=0.5),
        "h2": TextStyle("dejavu", "B", 12.5, color=GREEN, t_margin=5, b_margin=0.3),
        "h3": TextStyle("dejavu", "B", 11, color=GREEN, t_margin=4, b_margin=0.25),
        "h4": TextStyle("dejavu", "B", 10, t_margin=3, b_margin=0.2),
        "code": FontFace(family="dejavu-mono", size_pt=BODY_PT - 1),
        "pre": TextStyle("dejavu-mono", "", BODY_PT - 1.5, t_margin=1, b_margin=1),
        "a": FontFace(color=(0, 90, 160)),
    }
    start = 0
    for index, token in enumerate([*tokens, None]):
        if token is not None and (token.type not in ("table_open", "hr", "html_block") or token.level > 0):
            continue  # (a rule inside a list item is drawn by the HTML layout)
        if token is not None and token.type == "html_block" and token.content.strip() != NEW_PAGE:
            continue
        if index > start:
            html = markdown.renderer.render(tokens[start:index], markdown.options, {})
            html = html.replace("<hr />", "<br /><br /><hr />")  # an answer line in a list: room to write above it
            pdf.write_html(html, font_family="dejavu", tag_styles=styles, li_prefix_color=60)
        if token is None:
            break
        if token.type in ("hr", "html_block"):
            if token.type == "hr":
                _rule(pdf, writing=token.markup.startswith("_"))
            else:
                pdf.add_page()
            start = index + 1
            continue
        end = next(i for i in range(index, len(tokens)) if tokens[i].type == "table_close")
        _table(pdf, tokens[index : end + 1])
        start = end + 1


def _rule(pdf: FPDF, writing: bool) -> None:
    """``___`` (a worksheet's answer line): a line to write on; ``---`` (between role cards): a
    dashed line to cut along."""
    pdf.ln(7 if writing else 3)
    if writing:
        pdf.set_draw_color(120)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + pdf.epw, pdf.get_y())
    else:
        pdf.set_draw_color(150)
        with pdf.local_context(dash_pattern={"dash": 2, "gap": 1.5}):
            pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + pdf.epw, pdf.get_y())
    pdf.set_draw_color(0)
    pdf.ln(1 if writing else 4)


def _cell(inline: Token | None) -> tuple[str, bool]:
    """A table cell's text (emphasis dropped; code, links and line breaks as plain text) and whether
    all of it is bold."""
    if inline is None or not inline.children:
        return "", False
    parts, bold, depth = [], True, 0
    for child in inline.children:
        depth += child.type == "strong_open"
        depth -= child.type == "strong_close"
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
            bold = bold and (depth > 0 or not child.content.strip())
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    text = "".join(parts).strip()
    return text, bold and bool(text)


def _widths(pdf: FPDF, rows: list[list[str]], padding_mm: float) -> list[float]:
    """Column widths (mm) much as a browser lays out a table: every column at least as wide as its
    longest word, and as wide as its longest line if there is room, the room left shared in
    proportion to how much more each column would need. A worksheet's empty columns (to write in)
    share what the columns with text leave."""
    least, most, writing = [], [], []
    for column in zip(*rows, strict=False):
        words, lines = [5.0], [5.0]
        for i, cell in enumerate(column):
            pdf.set_font("dejavu", "B" if i == 0 else "", TABLE_PT)  # the header row is bold
            words += [pdf.get_string_width(word) for word in cell.split()]
            lines.append(pdf.get_string_width(cell))
        least.append(max(words) + 2 * padding_mm + 0.5)
        most.append(max(lines) + 2 * padding_mm + 0.5)
        writing.append(len(column) > 1 and not any(column[1:]))
    room = pdf.epw
    wanted = [n if w else m for n, m, w in zip(least, most, writing, strict=True)]
    if sum(wanted) <= room:
        spare = room - sum(wanted)
        share = [1.0 if w else 0.0 for w in writing] if any(writing) else wanted
        return [x + spare * s / sum(share) for x, s in zip(wanted, share, strict=True)]
    if sum(least) >= room:
        return [n * room / sum(least) for n in least]
    extra = [m - n for m, n in zip(wanted, least, strict=True)]
    return [n + (room - sum(least)) * e / sum(extra) for n, e in zip(least, extra, strict=True)]


def _table(pdf: FPDF, tokens: list[Token]) -> None:
    """A Markdown table as a table: the header row bold on a pale green, text wrapped in its
    column, headings repeated on a new page; a worksheet's empty rows are tall enough to write in."""
    from fpdf.fonts import FontFace

    rows: list[list[tuple[str, bool]]] = []
    for i, token in enumerate(tokens):
        if token.type == "tr_open":
            rows.append([])
        elif token.type in ("th_open", "td_open"):
            rows[-1].append(_cell(tokens[i + 1] if tokens[i + 1].type == "inline" else None))
    texts = [[text for text, _ in row] for row in rows]
    writing = any(not text for row in texts[1:] for text in row)
    widths = _widths(pdf, texts, padding_mm=1.5)
    pdf.set_font("dejavu", size=TABLE_PT)
    pdf.ln(1)
    with pdf.table(
        col_widths=widths,
        width=pdf.epw,
        text_align="LEFT",
        v_align="TOP",
        line_height=TABLE_PT * 0.5,
        padding=(1.2, 1.5),
        headings_style=FontFace(emphasis="BOLD", fill_color=(226, 238, 232)),
        borders_layout="ALL",
        min_row_height=WRITING_ROW_MM if writing else None,
    ) as table:
        for row in rows:
            cells = table.row()
            for text, bold in row:
                cells.cell(text, style=FontFace(emphasis="BOLD") if bold else None)
    pdf.set_font("dejavu", size=BODY_PT)
    pdf.ln(2.5)
