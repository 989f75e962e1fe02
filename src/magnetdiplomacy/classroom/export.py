"""What a teacher takes home: the class's results as CSV and a one-page summary per student (PDF).

* :func:`results_csv`: one row per student and quarter: the decisions their seat made that quarter
  and the world's indicators over it (alignment at the end of the quarter, Malaysia's share of
  non-China magnets, direct jobs, exports, value added, incentive cost, tariffs...). The model's own
  Malaysia (same seed, same news) is included as a reference.
* :func:`scores_csv`: one row per student (or seat) with the scores against the targets.
* :func:`summaries_pdf`: one A4 page per student: scores against the targets next to the model's
  Malaysia, the path of alignment and magnet share, the decisions made, and questions to think
  about.
* :func:`scorecard_csv`: Malaysia's whole scorecard (every target, unscored; the table ``run``
  writes as ``scorecard.csv``) in each participant's world and the model's Malaysia: one row per
  world and target, in the year the debrief shows it (2030 when the game covers it).

Names and free text are data in every file: a CSV cell a spreadsheet would run as a formula is
neutralised (:func:`spreadsheet_cell`), and no text on a PDF page is read as mathtext (a ``$`` in a
name or a price prints as it is).
"""

from __future__ import annotations

import csv
import io
import re
import textwrap
from collections.abc import Iterable, Sequence

from matplotlib import dates as mdates
from matplotlib.axes import Axes
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.text import Text

from ..targets import EXPORT_TEXT_LONG, JOBS_TEXT, SHARE_TEXT, TARGET_YEAR
from .game import Debrief, class_scores, debrief
from .menus import SEAT_LABELS
from .records import visible_text
from .session import ClassSession, Member
from .targets import ALIGNMENT_BAND, SHARE_TARGET, whole_scorecard
from .world import World

QUARTER_COLUMNS = (
    ("alignment_end", "malaysia_alignment", "last"),
    ("share_nonchina", "malaysia_magnet_share_nonchina", "mean"),
    ("share_global", "malaysia_magnet_share_global", "mean"),
    ("oxide_share_global", "malaysia_oxide_share_global", "mean"),
    ("direct_jobs_end", "malaysia_direct_jobs", "last"),
    ("jobs_end", "malaysia_jobs", "last"),
    ("exports_usd", "malaysia_export_revenue_usd", "sum"),
    ("value_added_usd", "malaysia_value_added_usd", "sum"),
    ("incentive_cost_usd", "malaysia_incentive_cost_usd", "sum"),
    ("us_tariff_malaysia_end", "us_tariff_malaysia", "last"),
    ("china_licence_rate_end", "china_export_licence_rate", "last"),
    ("lynas_licence_valid_end", "lynas_licence_valid", "last"),
    ("jslink_magnets_t", "jslink_magnet_t", "sum"),
    ("lynas_ndpr_t", "lynas_ndpr_t", "sum"),
)
QUESTIONS = (
    "Which decision moved Malaysia furthest from the model's own path, and why did it matter?",
    "Where did you trade a target off against another (jobs against alignment, exports against the budget)?",
    "What news changed your plans most, and would you decide differently knowing what followed?",
)


# A spreadsheet runs a cell that starts with one of these as a formula ("CSV injection", OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
# Excel reads a CSV as UTF-8 (names in Arabic, Tamil, Chinese...) only when it starts with a BOM.
UTF8_BOM = "\ufeff"


def spreadsheet_cell(value):  # noqa: ANN001, ANN201 (any CSV cell: text, number, None)
    """A CSV cell as data: text a spreadsheet would run as a formula (``=cmd|...``, ``@SUM(...)``,
    ``-2+3``) gets a leading single quote, as OWASP advises; numbers, negative ones included, and
    everything else are left as they are. Text loses the invisible characters that would make it
    read differently (:func:`~.records.visible_text`)."""
    if not isinstance(value, str):
        return value
    value = visible_text(value)
    if value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def _csv_bytes(rows: Iterable[Sequence], bom: bool = False) -> bytes:
    """Rows as CSV (UTF-8; with ``bom``, prefixed by a BOM for spreadsheets), every cell through
    :func:`spreadsheet_cell`."""
    out = io.StringIO()
    if bom:
        out.write(UTF8_BOM)
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([spreadsheet_cell(cell) for cell in row])
    return out.getvalue().encode("utf-8")


def _quarter_values(world: World, ticks: range) -> dict[str, float]:
    return {name: world.window(column, ticks[0], ticks[-1] + 1, how) for name, column, how in QUARTER_COLUMNS}


def _participants(session: ClassSession) -> list[tuple[Member, str]]:
    """(member, world key) of everyone who took part (role-play: seated or not)."""
    return [(m, session.world_key(m)) for m in session.active_members()]


def _decisions_text(fired: list, key: str, quarter: int, seat: str | None, reader: str = "") -> str:
    """The decisions a seat (or, with ``seat`` None, every seat) made in a world in a quarter."""
    items = [f for w, q, f in fired if w == key and q == quarter and f.by_student and (seat is None or f.seat == seat)]
    # a decision made by someone other than the row's ``reader`` (a teammate, or a student who
    # changed seats) is credited to its author
    texts = [f"{f.shown_label} (by {f.who})" if reader and f.who and f.who != reader else f.shown_label for f in items]
    if seat is None:
        texts = [f"{SEAT_LABELS.get(f.seat, f.seat)}: {text}" for f, text in zip(items, texts, strict=True)]
    return "; ".join(texts)


def _row(session: ClassSession, world: World, quarter: int, who: str, seat: str, text: str) -> list:
    ticks = session.quarter_ticks(quarter)
    values = _quarter_values(world, ticks)
    return [
        session.name,
        session.mode,
        who,
        seat,
        quarter + 1,
        session.quarter_label(quarter),
        world.label(ticks[0]),
        world.label(ticks[-1]),
        text,
        *[_num(values[name]) for name, _, _ in QUARTER_COLUMNS],
    ]


def results_csv(session: ClassSession, *, bom: bool = False) -> bytes:
    """One row per participant and quarter, then the model's own Malaysia (``bom``: for spreadsheets)."""
    return _csv_bytes(_results_rows(session), bom)


RESULTS_COLUMNS = (
    "class", "mode", "participant", "seat", "quarter", "period", "first_month", "last_month", "decisions",
)  # fmt: skip


def _results_rows(session: ClassSession) -> Iterable[list]:
    names = [name for name, _, _ in QUARTER_COLUMNS]
    yield [*RESULTS_COLUMNS, *names]
    with session.lock:
        played = session.quarter
        fired = list(session.fired)
        participants = _participants(session)
    ai = session.ai_world()
    for member, key in participants:
        world = session.world(key)
        seat = session.seat_of(member)
        for quarter in range(played):
            if member.joined_quarter > quarter and session.mode != "roleplay":
                text = "(not yet in the class: the model played Malaysia)"
            else:
                text = _decisions_text(fired, key, quarter, seat, member.name) if seat else ""
            yield _row(session, world, quarter, member.name, SEAT_LABELS.get(seat or "", "no seat"), text)
    for quarter in range(played):
        yield _row(session, ai, quarter, "The model's own Malaysia (same seed and news)", "model", "")


def _num(value: float) -> str:
    return f"{value:.6g}"


def scores_csv(session: ClassSession, *, bom: bool = False) -> bytes:
    """One row per student (or seat) and the model's Malaysia: the scores against the targets."""
    rows = class_scores(session)
    if not rows:
        return _csv_bytes([["participant", "seat", "total"]], bom)
    fields = list(rows[0])
    return _csv_bytes(
        [fields, *([_num(v) if isinstance(v, float) else v for v in (row[f] for f in fields)] for row in rows)], bom
    )


SCORECARD_CSV_COLUMNS = (
    "participant", "year", "months", "key", "label", "value", "shown", "goal", "goal_text", "met", "source", "flag",
)  # fmt: skip
CARD_COLUMNS = SCORECARD_CSV_COLUMNS[3:]  # from magnetdiplomacy.targets.scorecard
MODEL_MALAYSIA = "The model's own Malaysia (same seed)"


def _cell(value) -> str:  # noqa: ANN001 (a scorecard cell: number, text, True/False or None/NaN)
    if value is None or value != value:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return _num(value) if isinstance(value, float) else str(value)


def scorecard_csv(session: ClassSession, members: Iterable[Member] | None = None, *, bom: bool = False) -> bytes:
    """Malaysia's whole scorecard in the worlds of ``members`` (everyone by default; role-play: the
    class's one world) and in the model's Malaysia: one row per world and target."""
    return _csv_bytes(_scorecard_rows(session, members), bom)


def _scorecard_rows(session: ClassSession, members: Iterable[Member] | None) -> Iterable[Sequence]:
    people = list(members) if members is not None else session.active_members()
    worlds: dict[str, list[str]] = {}
    for member in people:
        worlds.setdefault(session.world_key(member), []).append(member.name)
    yield SCORECARD_CSV_COLUMNS
    ai, model_card = session.ai_world(), None
    for key, names in worlds.items():
        world = session.world(key)
        last = world.model.tick - 1
        whole = whole_scorecard(world, ai, world.start_tick, last)
        if whole is None:
            continue
        model_card = whole if model_card is None else model_card
        for row in whole.player.to_dict("records"):
            yield [", ".join(names), whole.year, whole.months, *(_cell(row[c]) for c in CARD_COLUMNS)]
    if model_card is not None:
        for row in model_card.model.to_dict("records"):
            yield [MODEL_MALAYSIA, model_card.year, model_card.months, *(_cell(row[c]) for c in CARD_COLUMNS)]


# ---- one-page summaries ------------------------------------------------------------------------


def _page(fig: Figure, session: ClassSession, member: Member, brief: Debrief) -> None:
    seat = session.seat_of(member)
    _page_header(fig, session, member, seat, brief)
    _page_scores(fig, brief)
    _page_charts(fig, brief)
    y = _page_decisions(fig, session, seat, brief)
    _page_footer(fig, y)


def _page_header(fig: Figure, session: ClassSession, member: Member, seat: str | None, brief: Debrief) -> None:
    """Who, where, what was played, and the verdict."""
    fig.text(0.07, 0.955, "Magnet diplomacy: summary", fontsize=17, weight="bold")
    where = "single-player game" if session.mode == "solo" else f"class: {session.name}"
    fig.text(0.07, 0.93, f"{member.name} — {SEAT_LABELS.get(seat or '', 'no seat')} — {where}", fontsize=11)
    first = brief.dates[brief.first_index]
    fig.text(
        0.07,
        0.912,
        f"Played {session.quarter} quarter(s), from {first:%B %Y} to {brief.dates[-1]:%B %Y}. Scored over "
        f"{brief.player.window}.",
        fontsize=9,
        color="#444444",
    )
    verdict = f"{brief.seat_card.verdict} {brief.verdict}" if brief.seat_card else brief.verdict
    fig.text(0.07, 0.89, textwrap.fill(verdict, 100), fontsize=9.5, va="top")


def _page_scores(fig: Figure, brief: Debrief) -> None:
    """The scores against the targets next to the model's: a role-play seat's own objectives, or
    Malaysia's targets (the charts below show Malaysia either way)."""
    table = fig.add_axes((0.07, 0.73, 0.86, 0.13))
    table.axis("off")
    card = brief.seat_card
    if card is not None:
        label = SEAT_LABELS.get(card.seat, card.seat)
        cells = [
            [s.label, s.goal, s.shown, card.model.get(s.key).shown, f"{s.points:.0f} / {s.max_points:.0f}"]
            for s in card.player.scores
        ]
        totals = [f"{card.player.total:.0f}", f"{card.model.total:.0f}", f"{card.player.total:.0f} / 100"]
        labels = ["Target", "Goal", label, f"Model's {label}", "Points"]
    else:
        cells = [
            [s.label, s.goal, s.shown, brief.model.get(s.key).shown, f"{s.points:.0f} / 25"]
            for s in brief.player.scores
        ]
        totals = [f"{brief.player.total:.0f}", f"{brief.model.total:.0f}", f"{brief.player.total:.0f} / 100"]
        labels = ["Target", "Goal", brief.subject[0].upper() + brief.subject[1:], "Model's Malaysia", "Points"]
    cells.append(["Total", "", *totals])
    tab = table.table(
        cellText=cells,
        colLabels=labels,
        loc="center",
        cellLoc="left",
        colLoc="left",
        colWidths=[0.3, 0.16, 0.2, 0.2, 0.14],
    )
    tab.auto_set_font_size(False)
    tab.set_fontsize(8.5)
    tab.scale(1, 1.25)


def _page_charts(fig: Figure, brief: Debrief) -> None:
    """Alignment and share of non-China magnets, against the model's Malaysia."""
    dates = brief.dates
    ax = fig.add_axes((0.1, 0.5, 0.36, 0.18))
    ax.axhspan(-ALIGNMENT_BAND, ALIGNMENT_BAND, color="#eeeeee")
    ax.plot(dates, brief.ai["malaysia_alignment"], color="#999999", lw=1.5, ls="--", label="model's Malaysia")
    ax.plot(dates, brief.you["malaysia_alignment"], color="#009E73", lw=2, label=brief.subject)
    ax.axvline(dates[brief.first_index], color="#000000", lw=0.8, ls=":")
    ax.set_ylim(-1, 1)
    ax.set_title("Alignment (−1 China … +1 US)", fontsize=9)
    _date_axis(ax)
    ax.legend(fontsize=6.5, loc="lower left")
    ax2 = fig.add_axes((0.57, 0.5, 0.36, 0.18))
    ax2.plot(dates, [v * 100 for v in brief.ai["malaysia_magnet_share_nonchina"]], color="#999999", lw=1.5, ls="--")
    ax2.plot(dates, [v * 100 for v in brief.you["malaysia_magnet_share_nonchina"]], color="#0072B2", lw=2)
    ax2.axhline(SHARE_TARGET * 100, color="#E69F00", lw=1, ls="-.")
    ax2.axvline(dates[brief.first_index], color="#000000", lw=0.8, ls=":")
    ax2.set_title(f"Share of non-China magnets (%), target {SHARE_TEXT}", fontsize=9)
    _date_axis(ax2)


def _date_axis(ax: Axes) -> None:
    """A few dates that do not overlap in a chart a third of a page wide ("2026", "Apr", "Jul"...)."""
    locator = mdates.AutoDateLocator(minticks=3, maxticks=6)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.tick_params(labelsize=7)


def _page_decisions(fig: Figure, session: ClassSession, seat: str | None, brief: Debrief) -> float:
    """The decisions made (and the seat's measures in role-play); returns where the text ended."""
    y = 0.44
    fig.text(0.07, y, "Decisions", fontsize=11, weight="bold")
    lines = [
        f"{d['quarter']}: {d['text']}" + (f" ({d['who']})" if d["who"] and session.mode == "roleplay" else "")
        for d in brief.decisions
        if session.mode != "roleplay" or d["seat"] == SEAT_LABELS.get(seat or "", "")
    ]
    if not lines:
        lines = ["No changes: the seat kept every policy as it was."]
    shown = lines[:16]
    if len(lines) > 16:
        shown.append(f"… and {len(lines) - 16} more (see the results CSV)")
    y -= 0.022
    for line in shown:
        for part in textwrap.wrap(line, 115)[:2]:
            fig.text(0.08, y, part, fontsize=7.8)
            y -= 0.0145
    if brief.seat_rows:
        y -= 0.008
        fig.text(
            0.07,
            y,
            f"{SEAT_LABELS.get(seat or '', '')}: the last twelve months (yours / model's world)",
            fontsize=9,
            weight="bold",
        )
        y -= 0.017
        for label, mine, theirs in brief.seat_rows:
            fig.text(0.08, y, f"{label}: {mine} / {theirs}", fontsize=7.8)
            y -= 0.0135
    return y


def _page_footer(fig: Figure, y: float) -> None:
    """Questions to think about and the targets."""
    y = min(y - 0.01, 0.13)
    fig.text(0.07, y, "To think about", fontsize=11, weight="bold")
    for i, question in enumerate(QUESTIONS):
        fig.text(0.08, y - 0.02 - i * 0.016, f"{i + 1}. {question}", fontsize=8)
    fig.text(
        0.07,
        0.02,
        f"Targets: {SHARE_TEXT} of non-China magnet output, {EXPORT_TEXT_LONG} of exports and {JOBS_TEXT} direct jobs "
        f"by {TARGET_YEAR}, alignment within ±{ALIGNMENT_BAND:.2f} (non-aligned).",
        fontsize=6.5,
        color="#555555",
    )


def _as_written(fig: Figure) -> Figure:
    """Every text on the page printed as written: a ``$`` in a name, a class name or a price
    ("US$112/kg / US$105/kg") is not read as the start of a formula (matplotlib's mathtext), and a
    right-to-left override kept from an older record does not turn the rest of a line around."""
    for text in fig.findobj(Text):
        text.set_parse_math(False)
        text.set_text(visible_text(text.get_text()))
    return fig


def summaries_pdf(session: ClassSession, members: Iterable[Member] | None = None) -> bytes:
    """One A4 page per student (all students by default)."""
    people = list(members) if members is not None else session.active_members()
    buffer = io.BytesIO()
    with PdfPages(buffer) as pdf:
        for member in people:
            fig = Figure(figsize=(8.27, 11.69))
            try:
                brief = debrief(session, member)
            except ValueError:
                fig.text(0.07, 0.95, f"{member.name}: no quarter played yet.", fontsize=12)
            else:
                _page(fig, session, member, brief)
            pdf.savefig(_as_written(fig))
        if not people:
            fig = Figure(figsize=(8.27, 11.69))
            fig.text(0.07, 0.95, "Nobody has joined this class.", fontsize=12)
            pdf.savefig(fig)
    return buffer.getvalue()
