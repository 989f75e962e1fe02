"""Malaysia's scorecard, declared once in ``targets.py``, shown by ``run``, ``compare``, the browser
app and the classroom's debrief."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pandas as pd
import pytest
import solara
from typer.testing import CliRunner

from magnetdiplomacy.cli import app
from magnetdiplomacy.compare import SCORECARD_COLUMNS, compare, scorecard_comparison
from magnetdiplomacy.runs import complete_years, prepare, scorecard_rows, scorecard_year, simulate
from magnetdiplomacy.targets import SCORECARD_COLUMNS as CARD_COLUMNS
from magnetdiplomacy.targets import TARGET_BY_KEY, TARGETS, scorecard, year_value

KEYS = [target.key for target in TARGETS]
runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "200"})


def months(start: str, end: str) -> pd.DataFrame:
    return pd.DataFrame({"date": pd.date_range(start, end, freq="MS")})


# ---- which year ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "year"),
    [
        ("2020-01", "2035-12", 2030),  # the targets' year when the run covers it whole
        ("2020-01", "2030-12", 2030),
        ("2020-01", "2030-11", 2029),  # 2030 is not whole: the last whole year
        ("2020-01", "2027-06", 2026),
        ("2020-07", "2021-06", None),  # no whole calendar year
        ("2031-01", "2033-05", 2032),  # after 2030
    ],
)
def test_scorecard_year(start, end, year):
    assert scorecard_year(months(start, end)) == year


def test_complete_years_need_all_twelve_months():
    assert complete_years(months("2020-03", "2022-12")) == [2021, 2022]
    assert complete_years(months("2020-01", "2020-01").iloc[:0]) == []


# ---- run ---------------------------------------------------------------------------------------------


def test_run_folder_has_the_scorecard_and_run_prints_it(tmp_path):
    out = tmp_path / "run"
    result = invoke("run", "baseline", "--end", "2030-12", "--set", "buyers.count=50", "--out", out)
    assert result.exit_code == 0, result.output
    assert "Malaysia's scorecard 2030" in result.output and "What moved Malaysia's alignment" in result.output
    card = pd.read_csv(out / "scorecard.csv")
    assert tuple(card.columns) == CARD_COLUMNS and list(card["key"]) == KEYS
    manifest = json.loads((out / "manifest.json").read_text())
    assert "scorecard.csv" in manifest["files"] and manifest["scorecard_year"] == 2030
    frame = pd.read_parquet(out / "timeseries.parquet")
    expected = scorecard(frame, 2030)
    assert np.allclose(card["value"], expected["value"])
    for target in TARGETS:  # the table printed: every label, every value as shown
        row = expected.set_index("key").loc[target.key]
        assert target.label in result.output and row["shown"] in result.output
    scored = card[card["goal"].notna()]
    assert scored["met"].isin([True, False]).all() and card.loc[card["goal"].isna(), "met"].isna().all()


def test_a_shorter_run_is_scored_on_its_last_whole_year_and_a_partial_one_not_at_all(tmp_path):
    short = tmp_path / "short"
    assert invoke("run", "baseline", "--end", "2023-06", "--set", "buyers.count=50", "--out", short).exit_code == 0
    assert json.loads((short / "manifest.json").read_text())["scorecard_year"] == 2022
    assert len(pd.read_csv(short / "scorecard.csv")) == len(TARGETS)
    tiny = tmp_path / "tiny"
    result = invoke("run", "baseline", "--end", "2020-06", "--out", tiny)
    assert result.exit_code == 0 and "covers no whole calendar year" in result.output
    assert not (tiny / "scorecard.csv").exists()
    assert "scorecard.csv" not in json.loads((tiny / "manifest.json").read_text())["files"]


def test_scorecard_rows_mark_met_unmet_and_indicators():
    frame = simulate(prepare("baseline", end="2021-12", overrides={"buyers.count": 50})).model_df
    rows = scorecard_rows(scorecard(frame, 2021))
    assert [row[0] for row in rows] == [target.label for target in TARGETS]
    for target, row in zip(TARGETS, rows, strict=True):
        assert row[3] in (("–",) if target.goal is None else ("✓", "✗")) and row[4] == target.source


# ---- compare ------------------------------------------------------------------------------------------


def test_scorecard_comparison_from_per_seed_values():
    paired = pd.DataFrame(
        [
            {"seed": 1, "key": "jobs", "a": 1500.0, "b": 2500.0},
            {"seed": 2, "key": "jobs", "a": 2100.0, "b": 2300.0},
            {"seed": 1, "key": "rcep", "a": 10.0, "b": 30.0},
            {"seed": 2, "key": "rcep", "a": 20.0, "b": 20.0},
        ]
    )
    table = scorecard_comparison(paired).set_index("key")
    jobs = table.loc["jobs"]
    assert jobs["mean_a"] == 1800 and jobs["mean_b"] == 2400 and jobs["mean_diff"] == 600
    assert jobs["share_met_a"] == 0.5 and jobs["share_met_b"] == 1.0 and jobs["goal_text"] == "2,000 direct jobs"
    assert pd.isna(table.loc["rcep", "share_met_a"]) and table.loc["rcep", "mean_diff"] == 10


def test_compare_scores_both_sides_seed_by_seed():
    a = prepare("baseline", end="2021-12", overrides={"buyers.count": 50})
    b = prepare("us_pressure", end="2021-12", overrides={"buyers.count": 50})
    result = compare(a, b, [1, 2])
    table = result.scorecard.set_index("key")
    assert list(table.index) == KEYS and result.year == 2021
    aligned = [year_value(simulate(a, seed=seed).model_df, TARGET_BY_KEY["aligned"], 2021) for seed in (1, 2)]
    assert table.loc["aligned", "mean_a"] == pytest.approx(np.mean(aligned))  # the band, month by month
    differences = result.differences.set_index("outcome")
    for target in TARGETS:  # every other target is its output column's yearly value
        if target.sense != "within":
            assert table.loc[target.key, "mean_a"] == pytest.approx(differences.loc[target.column, "mean_a"])
            assert table.loc[target.key, "mean_b"] == pytest.approx(differences.loc[target.column, "mean_b"])


def test_compare_writes_the_scorecard_of_both_sides(tmp_path):
    out = tmp_path / "cmp"
    result = invoke(
        "compare", "baseline", "us_pressure", "--seeds", 2, "--end", "2021-12", "--workers", 0, "--out", out
    )
    assert result.exit_code == 0, result.output
    assert "Malaysia's scorecard 2021: us_pressure (B) against baseline (A)" in result.output
    card = pd.read_csv(out / "scorecard.csv")
    assert tuple(card.columns) == SCORECARD_COLUMNS and list(card["key"]) == KEYS
    assert (card["seeds"] == 2).all() and card[["mean_a", "mean_b"]].notna().all().all()
    scored = card[card["goal"].notna()]
    assert scored[["share_met_a", "share_met_b"]].isin([0.0, 0.5, 1.0]).all().all()
    assert card.loc[card["goal"].isna(), ["share_met_a", "share_met_b"]].isna().all().all()
    assert np.allclose(card["mean_diff"], card["mean_b"] - card["mean_a"])


# ---- the browser app --------------------------------------------------------------------------------


def test_app_scorecard_card_follows_the_run():
    from magnetdiplomacy.ui import scorecard as ui
    from magnetdiplomacy.ui.session import Session

    session = Session("baseline", overrides={"buyers.count": 50})
    before = ui.scorecard_html(session)
    assert "press Step or Play" in before and all(f"data-key='{key}'" in before for key in KEYS)
    session.step(5)
    so_far = ui.run_scorecard(session)
    assert so_far is not None and (so_far.year, so_far.months, so_far.whole) == (2020, 5, False)
    assert "2020 so far (Jan–May, year to date)" in ui.scorecard_html(session)
    session.step(14)  # to July 2021: 2020 is the latest whole year
    found = ui.run_scorecard(session)
    assert found is not None and (found.year, found.whole) == (2020, True)
    expected = scorecard(session.timeseries_frame(), 2020)
    assert list(found.card["shown"]) == list(expected["shown"])
    html = ui.scorecard_html(session)
    assert "data-year='2020'" in html and "the latest whole year simulated" in html
    for target, shown in zip(TARGETS, expected["shown"], strict=True):
        assert f"data-key='{target.key}'" in html and shown in html
    assert html.count("– indicator") == sum(target.goal is None for target in TARGETS)
    assert "Source: C500; C501" in html  # the source, in small text and as the row's tooltip


def test_app_scorecard_component_renders_live():
    from magnetdiplomacy.ui.scorecard import ScorecardView
    from magnetdiplomacy.ui.state import use_app_state

    states = []

    @solara.component
    def Host():
        state = use_app_state()
        states.append(state)
        ScorecardView(state)

    _, rc = solara.render(Host(), handle_error=False)
    try:
        state = states[-1]
        widget = state.live["view:scorecard"][0]
        assert "md-scorecard" in widget.unsafe_innerHTML and "data-tick='0'" in widget.unsafe_innerHTML
        state.step(13)
        assert "data-year='2020'" in widget.unsafe_innerHTML and "md-tiles" in widget.unsafe_innerHTML
    finally:
        rc.close()


# ---- the classroom's debrief ---------------------------------------------------------------------


def test_classroom_debrief_shows_the_whole_scorecard(tmp_path):
    from magnetdiplomacy.classroom import Classroom, Store
    from magnetdiplomacy.classroom.export import scorecard_csv
    from magnetdiplomacy.classroom.game import debrief
    from magnetdiplomacy.classroom.pages.debrief import _debrief_html
    from magnetdiplomacy.classroom.targets import whole_scorecard

    room = Classroom(Store(tmp_path / "classroom.sqlite"), timers=False)
    try:
        class_id, code, key = room.create_class("Test class", "individual", end="2027-03")
        token = room.join(code, "Ana")
        room.start(class_id, key)
        for _ in range(4):
            room.advance(class_id, key)
        session, member = room.member(token)
        brief = debrief(session, member)
        assert [s.key for s in brief.player.scores] == ["share", "exports", "jobs", "aligned"]  # still scored
        whole = whole_scorecard(
            session.world(session.world_key(member)), session.ai_world(), brief.start_tick, brief.last_tick
        )
        assert whole is not None and (whole.year, whole.months) == (2026, 12)  # the last whole year played
        assert list(whole.player["key"]) == KEYS and list(whole.model["key"]) == KEYS
        html = _debrief_html(session, brief, "You", whole)
        assert "The whole scorecard, 2026" in html and "class='cr-table cr-whole'" in html
        table = html.split("cr-whole", 1)[1]
        assert all(f"data-key='{k}'" in table for k in KEYS) and "Model's Malaysia" in table
        assert html.count("cr-scores") == 1  # the scored table is the one it was
        rows = list(csv.DictReader(io.StringIO(scorecard_csv(session).decode())))
        assert len(rows) == 2 * len(TARGETS)  # Ana's world and the model's Malaysia
        assert {r["participant"] for r in rows} == {"Ana", "The model's own Malaysia (same seed)"}
        assert {r["year"] for r in rows} == {"2026"} and [r["key"] for r in rows[: len(KEYS)]] == KEYS
    finally:
        room.close()
