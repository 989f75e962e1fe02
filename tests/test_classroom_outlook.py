"""Look-aheads and news in the classroom: levels and the alignment band in a comparison, event
lists that never list one event on both sides, a reason where a figure moves against intuition,
news in plain words (no raw identifiers, each item once, a line on large export swings), and the
US seat's menu agreeing with the news at the start of the October 2025 script."""

from __future__ import annotations

import re

import pytest

from magnetdiplomacy.classroom.injects import load_script
from magnetdiplomacy.classroom.menus import seat_menu
from magnetdiplomacy.classroom.outlook import Happening, market_note, match_events, news_text
from magnetdiplomacy.classroom.pages.common import compare_html, tradeoff_html
from magnetdiplomacy.classroom.world import World, WorldSpec, rebuild
from magnetdiplomacy.mechanisms.offers import OFFER_KINDS
from magnetdiplomacy.targets import ALIGNMENT_BAND

NUMBER = re.compile(r"[+\-−]?\d[\d,]*(?:\.\d+)?")
# what must not reach the news: snake_case ids, offer kinds in lower case ("china jv"), ISO months, arrows
RAW = re.compile(
    r"\b[a-z]+_[a-z_]+\b|\b(?:"
    + "|".join(kind.replace("_", " ") for kind in OFFER_KINDS)
    + r")\b|\b(?:19|20)\d\d-\d\d\b| -> "
)


@pytest.fixture(scope="module")
def world():
    """A full game's world at its start (April 2026 to December 2030), Malaysia played by a person."""
    made = World.new(WorldSpec().resolved())
    made.set_seats(["malaysia"])
    return made


def shape(text: str) -> str:
    return NUMBER.sub("#", text)


# ---- levels and the band ---------------------------------------------------------------------------


def test_a_comparison_shows_levels_to_the_games_end_and_the_band(world):
    firmly_us = world.compare([("malaysia_set_lean", {"lean": 1.0})], "malaysia", ["malaysia"])
    # the two years ahead and the year to the game's end (the lean acts slowly: it shows there)
    assert firmly_us.labels == ("Apr 2026 – Mar 2027", "Apr 2027 – Mar 2028")
    assert firmly_us.final_label == "Jan 2030 – Dec 2030"
    alignment = next(d for d in firmly_us.differences if d.metric.key == "alignment")
    (b1, a1), (b2, a2), (b_end, a_end) = alignment.columns()
    assert a_end - b_end > a1 - b1 > 0  # the gap grows to the game's end
    band = firmly_us.band
    assert band is not None and band.band == ALIGNMENT_BAND and band.months == 57
    assert band.period == "Apr 2026 – Dec 2030"
    assert band.alt_inside < band.base_inside and band.alt_end == pytest.approx(a_end)
    assert not band.inside(band.alt_end)
    table = re.sub(r"<[^>]+>", " ", tradeoff_html(firmly_us)).replace("\u00a0", " ")
    assert f"{a_end:+.2f}" in table and "outside the band" in table  # the level, flagged against the band
    assert f"inside it {band.alt_inside} of 57 months" in table and f"with no change {band.base_inside} of 57" in table
    exports = next(d for d in firmly_us.differences if d.metric.key == "exports")
    assert f"US${exports.alt_final / 1e6:,.0f} m" in table  # a level, not only a change


def test_compare_all_shows_the_year_to_the_games_end_with_months_in_the_band(world):
    rows = [
        (label, world.compare([("malaysia_set_lean", {"lean": lean})], "malaysia", ["malaysia"]))
        for label, lean in (("Lean to neither side", 0.0), ("Side firmly with the US", 1.0))
    ]
    text = re.sub(r"<[^>]+>", " ", compare_html(rows)).replace("\u00a0", " ")
    assert "Each choice in Jan 2030 – Dec 2030" in text and "Months in the band" in text
    for _, comparison in rows:
        assert f"{comparison.band.alt_inside} of 57" in text
    # the slow lever is visible: firmly with the US ends well outside the band, neither side does not
    assert rows[1][1].band.alt_inside < rows[0][1].band.alt_inside


# ---- events on both sides -----------------------------------------------------------------------------


def test_one_event_is_never_both_only_with_the_choice_and_would_not_happen(room):
    """The review's example: lean a little towards China at the start of a solo game listed the US's
    reward in both lists with other numbers; now it is one event that changes."""
    token = room.start_solo("Dana")
    session, member = room.member(token)
    lean = next(d for d in seat_menu("malaysia", session.world(member.id).model) if d.key == "lean")
    for choice in lean.choices:
        if choice.action is None:
            continue
        comparison = room.trade_offs(token, "lean", choice.key)
        new = {shape(text) for _, text in comparison.new_events}
        gone = {shape(text) for _, text in comparison.gone_events}
        assert not new & gone, (choice.label, new & gone)
    a_little = room.trade_offs(token, "lean", "lean_china25")
    assert any("tariff on Malaysia" in text and "instead of" in text for _, text in a_little.changed_events)


def test_events_are_matched_by_kind_and_wording_across_months():
    def event(month: str, tick: int, text: str) -> Happening:
        return Happening(month, text, tick, ("tariff", "United States", shape(text)))

    base = (
        event("2026-10", 6, "Reward (alignment +0.26); tariff 14%"),
        event("2027-04", 12, "Reward (alignment +0.30); tariff 10%"),
    )
    alt = (
        event("2026-10", 6, "Reward (alignment +0.25); tariff 14%"),
        event("2027-07", 15, "Reward (alignment +0.30); tariff 10%"),
        event("2028-04", 24, "Reward (alignment +0.31); tariff 6%"),
    )
    new, gone, changed = match_events(base, alt)
    assert gone == () and new == (("2028-04", "Reward (alignment +0.31); tariff 6%"),)
    assert changed == (
        ("2026-10", "Reward (alignment +0.25 instead of +0.26); tariff 14%"),
        ("2027-07", "Reward (alignment +0.30); tariff 10% (otherwise Apr 2027)"),
    )


def test_the_plans_table_speaks_of_the_plan(world):
    plan = world.compare(
        [("malaysia_set_lean", {"lean": 1.0}), ("malaysia_magnet_incentive", {"level": 1.0})], "malaysia", ["malaysia"]
    )
    assert plan.new_events or plan.gone_events
    page = tradeoff_html(plan, "All these changes together", "this plan")
    assert "with this plan" in page and "this choice" not in page


def test_the_incentive_says_why_exports_can_fall(world):
    incentive = world.compare([("malaysia_magnet_incentive", {"level": 1.0})], "malaysia", ["malaysia"])
    exports = next(d for d in incentive.differences if d.metric.key == "exports")
    assert min(exports.deltas) < 0  # the same tonnes at a lower price while JS Link sells all it makes
    assert any("Why exports can fall" in note for note in incentive.notes)
    assert "Why exports can fall" in tradeoff_html(incentive)
    lean = world.compare([("malaysia_set_lean", {"lean": 0.0})], "malaysia", ["malaysia"])
    assert lean.notes == ()


# ---- the news ----------------------------------------------------------------------------------------------


def test_news_texts_are_plain_words(room):
    assert news_text("Reward: Malaysia leans to the US (alignment +0.28); tariff 14%") == (
        "The US lowers its tariff on Malaysia to 14% as a reward: Malaysia leans to the US (alignment +0.28)"
    )
    assert (
        news_text("Truce holds: suspension extended to 2027-11") == "Truce holds: suspension extended to November 2027"
    )
    token = room.start_solo("Dana")
    session, member = room.member(token)
    room.choose(token, "offer:china_jv", "decline")
    for _ in range(8):  # the US's offer expires unanswered in this game
        room.set_ready(token)
    texts = [row["text"] for row in session.world_news(member.id, quarters=100)]
    assert "Malaysia declines the offer from China (Chinese refinery joint venture)" in texts
    assert any(text.startswith("The offer from the United States (") and "expired unanswered" in text for text in texts)
    # the model plays every seat to 2030: its own decisions on offers, tariffs, truces, plants
    ai = rebuild(WorldSpec().resolved(), {}, [], 10**6)
    texts += [row["description"] for row in ai.events(ai.start_tick, ai.model.tick)]
    raw = [text for text in texts if RAW.search(text)]
    assert not raw, raw[:5]
    assert any("Malaysia reckons it" in text for text in texts)  # the model's weighing, in words


def test_a_history_event_with_two_actions_is_news_once():
    script = load_script("october_2025_escalation")
    world = World.new(WorldSpec(start=script.start, end=script.end, exclude=tuple(script.exclude)).resolved())
    world.advance([], [])
    world.advance([], [])
    rows = world.events(world.start_tick, world.model.tick)
    items = [(row["tick"], row["description"]) for row in rows]
    assert len(items) == len(set(items))
    assert sum("Agreement on Reciprocal Trade" in text for _, text in items) == 1


def test_a_large_swing_in_exports_comes_with_a_reason(world):
    passive = World.new(world.spec)
    for _ in range(4):
        passive.advance([], ["malaysia"])
    series = passive.model.datacollector.model_vars
    notes = [row for row in passive.events(passive.start_tick, passive.model.tick) if row["source"] == "market"]
    assert notes, "the passive game's exports fall by a third in its second quarter"
    for row in notes:
        quarter = passive.quarter_ticks(passive.quarter_of_tick(row["tick"]))
        now = sum(series["malaysia_export_revenue_usd"][quarter[0] : quarter[-1] + 1])
        before = sum(series["malaysia_export_revenue_usd"][quarter[0] - 3 : quarter[0]])
        assert abs(now / before - 1) >= 0.15
        assert ("fell" in row["description"]) == (now < before) and ": " in row["description"]
    flat = {column: [1.0e7] * 6 for column in series}
    assert market_note(flat, 3, 6) is None  # nothing moved: nothing to say


# ---- the menu and the news at a script's start ----------------------------------------------------------


def test_the_us_menu_and_the_news_agree_on_the_tariff_at_the_october_script_start(room):
    script = load_script("october_2025_escalation")
    scene = next(inject for inject in script.injects if inject.id == "scene")
    assert "19% tariff" in scene.text  # the news the class opens with
    spec = WorldSpec(start=script.start, end=script.end, exclude=tuple(script.exclude)).resolved()
    world = World.new(spec)
    tariff = next(d for d in seat_menu("united_states", world.model) if d.key == "tariff_malaysia")
    assert tariff.status == "The US tariff on Malaysia is 19%."
