"""The console's results: scores so far (Malaysia on its targets, each role-play seat on its own), and the
files to download."""

from __future__ import annotations

from html import escape

import solara

from ..game import class_scores
from ..menus import SEAT_LABELS
from ..room import get_classroom
from ..seat_targets import SEAT_TARGETS
from ..session import ClassSession
from .common import div, html
from .errors import SafeDownload


@solara.component
def Downloads(version: int, session: ClassSession, class_id: str, key: str):
    room = get_classroom()

    def results():
        from ..export import results_csv

        return results_csv(room.teacher(class_id, key), bom=True)

    def scores():
        from ..export import scores_csv

        return scores_csv(room.teacher(class_id, key), bom=True)

    def summaries():
        from ..export import summaries_pdf

        return summaries_pdf(room.teacher(class_id, key))

    def whole_scorecard():
        from ..export import scorecard_csv

        return scorecard_csv(room.teacher(class_id, key), bom=True)

    stem = "".join(ch if ch.isalnum() else "_" for ch in session.name.lower()).strip("_") or "class"
    with div("cr-card"):
        html(
            "<h2>Downloads</h2><div class='cr-help'>Made when you click, from everything played so far. The model's "
            "own Malaysia (same seed, same news) is included for comparison. In the CSV files a name that starts with "
            "= + - or @ gets a leading ' so that a spreadsheet shows it as text, not a formula.</div>"
        )
        for label, fn, filename, mime, css in (
            ("Results by student and quarter (CSV)", results, f"{stem}_results.csv", "text/csv", "cr-download-results"),
            ("Scores against the targets (CSV)", scores, f"{stem}_scores.csv", "text/csv", "cr-download-scores"),
            (
                "Malaysia's whole scorecard, every target (CSV)",
                whole_scorecard,
                f"{stem}_scorecard.csv",
                "text/csv",
                "cr-download-scorecard",
            ),
            (
                "One-page summary per student (PDF)",
                summaries,
                f"{stem}_summaries.pdf",
                "application/pdf",
                "cr-download-summaries",
            ),
        ):
            with solara.Row(style={"align-items": "center"}, gap="8px"):
                SafeDownload(fn, filename, mime, filename, css)
                html(escape(label), ["cr-small"])


# Malaysia's four targets as the results table shows them: key, label, value in words.
MALAYSIA_TARGETS = (
    ("share", "Magnet share", lambda v: f"{v:.1%}"),
    ("exports", "Exports", lambda v: f"US${v / 1e6:,.0f} m"),
    ("jobs", "Direct jobs", lambda v: f"{v:,.0f}"),
    ("aligned", "Months non-aligned", lambda v: f"{v:.0%}"),
)
SEAT_OF_LABEL = {label: seat for seat, label in SEAT_LABELS.items()}
RIGHT = "style='text-align:right'"


def targets_html(row: dict) -> str:
    """A row's targets in a few words each: the value and the points it earned (of the most it could)."""
    seat = SEAT_OF_LABEL.get(row["seat"], "malaysia")  # the model's Malaysia has seat "model"
    if seat == "malaysia":
        items = [
            (label, shown(row[f"{key}_value"]), row[f"{key}_points"], 25.0) for key, label, shown in MALAYSIA_TARGETS
        ]
    else:
        items = [
            (t.label, t.shown(row[f"{seat}_{t.key}_value"]), row[f"{seat}_{t.key}_points"], t.points)
            for t in SEAT_TARGETS[seat]
        ]
    return "<br>".join(
        f"{escape(label)}: {escape(value)} <span class='cr-small'>({points:.0f}/{most:.0f})</span>"
        for label, value, points, most in items
    )


def results_html(rows: list[dict]) -> str:
    """The class's scores: every seat on its own objectives, beside the model's play of the same seat."""
    body = "".join(
        f"<tr class='{'cr-ai' if r['seat'] == 'model' else ''}' data-seat='{escape(r['seat'])}'>"
        f"<td>{escape(r['participant'])}</td><td>{escape(r['seat'])}</td><td {RIGHT}>{r['total']:.0f}</td>"
        f"<td {RIGHT}>{r['model_total']:.0f}</td><td {RIGHT}>{r['targets_met']}</td>"
        f"<td class='cr-small'>{targets_html(r)}</td></tr>"
        for r in rows
    )
    return (
        "<div class='cr-help'>Scores so far, in 2030 or the last twelve months played. Malaysia is scored on its "
        "national targets (15% of non-China magnets, US$500 m of exports, 2,000 direct jobs, and the share of months "
        "within ±0.25 alignment), 25 points each; in a role-play every other seat on its own objectives (see each "
        "seat's debrief). <i>Model</i> is the model's own play of the same seat, with the same seed and news.</div>"
        f"<table class='cr-table cr-class-scores'><tr><th>Who</th><th>Seat</th><th {RIGHT}>Score</th><th {RIGHT}>Model"
        f"</th><th {RIGHT}>Targets met</th><th>Targets (points)</th></tr>" + body + "</table>"
    )


@solara.component
def Results(version: int, session: ClassSession):
    rows = class_scores(session) if session.quarter > 0 else []
    if not rows:
        html("Scores appear after the first quarter.", ["cr-small"])
        return
    html(results_html(rows))
