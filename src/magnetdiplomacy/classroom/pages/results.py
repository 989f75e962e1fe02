"""The console's results: scores so far against Malaysia's targets, and the files to download."""

from __future__ import annotations

from html import escape

import solara

from ..game import class_scores
from ..room import get_classroom
from ..session import ClassSession
from .common import div, html


@solara.component
def Downloads(version: int, session: ClassSession, class_id: str, key: str):
    room = get_classroom()

    def results():
        from ..export import results_csv

        return results_csv(room.teacher(class_id, key))

    def scores():
        from ..export import scores_csv

        return scores_csv(room.teacher(class_id, key))

    def summaries():
        from ..export import summaries_pdf

        return summaries_pdf(room.teacher(class_id, key))

    def whole_scorecard():
        from ..export import scorecard_csv

        return scorecard_csv(room.teacher(class_id, key))

    stem = "".join(ch if ch.isalnum() else "_" for ch in session.name.lower()).strip("_") or "class"
    with div("cr-card"):
        html(
            "<h2>Downloads</h2><div class='cr-help'>Made when you click, from everything played so far. The model's "
            "own Malaysia (same seed, same news) is included for comparison.</div>"
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
                solara.FileDownload(
                    fn,
                    filename=filename,
                    mime_type=mime,
                    children=[
                        solara.Button(filename, icon_name="mdi-download", outlined=True, small=True, classes=[css])
                    ],
                )
                html(escape(label), ["cr-small"])


@solara.component
def Results(version: int, session: ClassSession):
    rows = class_scores(session) if session.quarter > 0 else []
    if not rows:
        html("Scores appear after the first quarter.", ["cr-small"])
        return
    body = "".join(
        f"<tr class='{'cr-ai' if r['seat'] == 'model' else ''}'><td>{escape(r['participant'])}</td><td>"
        f"{escape(r['seat'])}</td><td>{r['total']:.0f}</td><td>{r['targets_met']}</td><td>{r['share_value']:.1%}</td>"
        f"<td>US${r['exports_value'] / 1e6:,.0f} m</td><td>{r['jobs_value']:,.0f}</td><td>{r['aligned_value']:.0%}</td>"
        "</tr>"
        for r in rows
    )
    html(
        "<div class='cr-help'>Scores so far against Malaysia's targets (15% of non-China magnets, US$500 m of exports "
        "and 2,000 direct jobs in 2030 or the last twelve months played, "
        "and the share of months within ±0.25 alignment), 25 points each.</div>"
        "<table class='cr-table cr-scores cr-class-scores'><tr><th>Who</th><th>Seat</th><th>Score</th><th>Targets "
        "met</th><th>Magnet share</th><th>Exports</th><th>Direct jobs</th><th>Months non-aligned</th></tr>"
        + body
        + "</table>"
    )
