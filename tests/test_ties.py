"""Ties that live and fade, and why alignment moved (the attribution sums to each month's change)."""

from __future__ import annotations

import pandas as pd
import pytest

from magnetdiplomacy.mechanisms.alignment import attribute
from magnetdiplomacy.mechanisms.partnerships import PartnershipGraph, tie_label, tie_strength
from magnetdiplomacy.runs import prepare, simulate, top_movers


def test_tie_strength_halves_every_half_life():
    assert tie_strength(0, 3.0) == 1.0
    assert tie_strength(36, 3.0) == pytest.approx(0.5)
    assert tie_strength(72, 3.0) == pytest.approx(0.25)


def test_government_ties_fade_and_lapse_firm_trade_ties_do_not():
    graph = PartnershipGraph(half_lives={"mou": 2.0, "supply": 2.0}, lapse_strength=0.1)
    graph.form("United States", "Malaysia", "mou", 0)
    graph.form("Lynas", "JS Link", "supply", 0)  # two firms: kept by their trade
    graph.advance(24)
    assert graph.strength("United States", "Malaysia", "mou") == pytest.approx(0.5)
    assert graph.strength("Lynas", "JS Link", "supply") == 1.0
    before = graph.malaysia_tilts()[tie_label("United States", "Malaysia", "mou")]
    assert before == pytest.approx(0.3 * 0.5)  # weight x strength x bloc
    graph.form("United States", "Malaysia", "mou", 24)  # renewed: full strength again
    assert graph.strength("United States", "Malaysia", "mou") == 1.0
    lapsed = graph.advance(24 + 12 * 7)  # 0.5 ** 3.5 < 0.1
    assert lapsed == [("United States", "Malaysia", "mou")] or lapsed == [("Malaysia", "United States", "mou")]
    assert not graph.has("United States", "Malaysia", "mou") and graph.history[-1]["change"] == "lapsed"
    assert graph.has("Lynas", "JS Link", "supply")


def test_the_2025_us_mou_fades_in_the_baseline():
    result = simulate(prepare("baseline", end="2035-12"))
    lapsed = result.events_df[result.events_df["description"].str.contains("lapsed")]
    assert "United States - Malaysia" in " ".join(lapsed["description"]) or "Malaysia - United States" in " ".join(
        lapsed["description"]
    )


def test_attribution_splits_the_change_among_sources():
    held = {"a": 0.1, "b": -0.05}
    parts, moved = attribute(held, {"a": 0.2, "c": 0.2}, revealed=0.3, inertia=0.5, first_month=False)
    assert sum(moved.values()) == pytest.approx(0.5 * (0.3 - 0.05))
    assert parts["a"] == pytest.approx(0.1 + 0.5 * (0.15 - 0.1)) and parts["b"] == pytest.approx(-0.025)
    assert sum(parts.values()) == pytest.approx(0.05 + 0.5 * (0.3 - 0.05))


@pytest.mark.parametrize("scenario", ["baseline", "no_history", "malaysia_china_jv"])
def test_attribution_sums_to_the_change_in_alignment_every_month(scenario):
    result = simulate(prepare(scenario, end="2032-12"))
    alignment = result.model_df["malaysia_alignment"].to_numpy()
    change = pd.Series(alignment).diff().fillna(alignment[0]).to_numpy()
    table = result.attribution_df
    by_month = table.groupby("tick")["change"].sum().reindex(range(len(alignment)), fill_value=0.0).to_numpy()
    assert abs(by_month - change).max() < 1e-9
    assert set(table["kind"]) >= {"tie", "trade"}
    movers = top_movers(table)
    assert movers.groupby("year").size().max() <= 3
