"""Why lines moved, and the seed bands around them: the arithmetic of the parts (they add up to the
line they explain), the "Why it moved" view built on it, and the ensemble that fills the bands."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from magnetdiplomacy.attribution import (
    OTHER,
    SHARE_PARTS,
    cumulative_by_source,
    diverging_stack,
    keep_largest,
    share_decomposition,
    utilisation,
)
from magnetdiplomacy.ui import ensemble, why
from magnetdiplomacy.ui.session import Session


def parts_total(parts: dict[str, np.ndarray]) -> np.ndarray:
    return np.sum([parts[name] for name in SHARE_PARTS], axis=0)


# ---- share of non-China magnet output ---------------------------------------------------------------


def test_share_parts_sum_to_the_share_every_month():
    rng = np.random.default_rng(7)
    months = 120
    capacity = np.concatenate([np.zeros(30), np.repeat(rng.uniform(50, 400, 9), 10)])
    capacity[70:75] = 0.0  # a closure and a reopening
    output = capacity * rng.uniform(0.0, 1.1, months)
    output[30:33] = 0.0  # capacity standing idle before the first magnets
    nonchina = rng.uniform(1_000, 6_000, months)
    parts = share_decomposition(capacity, output, nonchina)
    share = output / nonchina
    assert np.allclose(parts["share"], share, atol=1e-15)
    assert np.allclose(parts_total(parts), share, atol=1e-12)


def test_months_before_the_first_magnets_add_nothing():
    capacity = [0, 0, 0, 100, 100, 100]
    output = [0, 0, 0, 0, 50, 80]
    nonchina = [1000, 1100, 1200, 1300, 1300, 1400]
    parts = share_decomposition(capacity, output, nonchina)
    for name in SHARE_PARTS:
        assert np.all(parts[name][:4] == 0.0), name
    # idle capacity starting to make magnets is utilisation, not capacity
    assert parts["capacity"][4] == 0.0
    assert parts["utilisation"][4] == pytest.approx(50 / 1300)


def test_a_capacity_jump_shows_as_capacity():
    capacity = [100, 100, 200, 200]
    output = [80, 80, 160, 160]  # the same utilisation, 0.8
    nonchina = [2000, 2000, 2000, 2000]
    parts = share_decomposition(capacity, output, nonchina)
    jump = 160 / 2000 - 80 / 2000
    assert np.diff(parts["capacity"])[1] == pytest.approx(jump)
    assert np.diff(parts["utilisation"])[1] == pytest.approx(0.0)
    assert np.diff(parts["rest"])[1] == pytest.approx(0.0)


def test_a_plant_opening_with_output_shows_as_capacity():
    parts = share_decomposition([0, 0, 120], [0, 0, 96], [1000, 1000, 1000])
    assert parts["capacity"][-1] == pytest.approx(0.096)
    assert parts["utilisation"][-1] == pytest.approx(0.0)


def test_utilisation_and_the_rest_of_the_industry():
    # the same plant, fewer orders: utilisation; the industry grows: the rest, negative
    parts = share_decomposition([100, 100, 100], [90, 45, 45], [1000, 1000, 1500])
    steps = {name: np.diff(parts[name]) for name in SHARE_PARTS}
    assert steps["utilisation"][0] == pytest.approx(-0.045)
    assert steps["capacity"][0] == 0.0 and steps["rest"][0] == 0.0
    assert steps["rest"][1] == pytest.approx(45 / 1500 - 45 / 1000)
    assert steps["utilisation"][1] == 0.0


def test_utilisation_where_there_is_no_capacity_is_the_nearest_months():
    assert list(utilisation([0, 100, 0, 0, 200], [0, 50, 0, 0, 200])) == [0.5, 0.5, 0.5, 0.5, 1.0]
    assert list(utilisation([0, 0], [0, 0])) == [0.0, 0.0]


# ---- alignment --------------------------------------------------------------------------------------


def test_running_totals_fold_small_sources_and_keep_the_sum():
    changes = [(0, "trade", 0.1), (1, "trade", -0.02), (1, "mou: A - B", 0.05), (2, "supply: C - D", 0.001)]
    changes += [(2, "concessions", -0.03), (3, "technology: E - F", 0.0005)]
    totals = cumulative_by_source(changes, 4)
    assert list(totals) == ["trade", "mou: A - B", "supply: C - D", "concessions", "technology: E - F"]
    assert np.allclose(totals["trade"], [0.1, 0.08, 0.08, 0.08])
    kept = keep_largest(totals, 3)
    assert list(kept) == ["trade", "mou: A - B", "concessions", OTHER]
    assert np.allclose(kept[OTHER], [0, 0, 0.001, 0.0015])
    assert np.allclose(sum(kept.values()), sum(totals.values()))
    assert keep_largest(totals, 4) == totals  # folding one source into "other" would gain nothing


def test_diverging_stack_edges():
    layers = [np.array([0.2, -0.1]), np.array([-0.3, 0.4]), np.array([0.1, -0.2])]
    (lo1, hi1), (lo2, hi2), (lo3, hi3) = diverging_stack(layers)
    assert list(zip(lo1, hi1, strict=True)) == [(0.0, 0.2), (-0.1, 0.0)]
    assert list(zip(lo2, hi2, strict=True)) == [(-0.3, 0.0), (0.0, 0.4)]
    assert np.allclose(lo3, [0.2, -0.3]) and np.allclose(hi3, [0.30000000000000004, -0.1])
    # the net of the stacked layers is the sum of the values
    net = sum(np.where(v >= 0, hi - lo, lo - hi) for v, (lo, hi) in zip(layers, diverging_stack(layers), strict=True))
    assert np.allclose(net, sum(layers))


@pytest.fixture(scope="module")
def session():
    s = Session("baseline")
    s.step(110)  # past JS Link's first magnets (2027)
    return s


def test_alignment_stack_sums_to_the_alignment_line(session):
    parts = why.alignment_parts(session)
    assert len(parts) <= why.KEEP + 1
    line = np.asarray(session.series("malaysia_alignment"))
    assert np.max(np.abs(np.sum(list(parts.values()), axis=0) - line)) < 1e-12
    assert "US–Malaysia MoU" in parts


def test_share_stack_sums_to_the_share_line(session):
    parts = why.share_parts(session)
    line = np.asarray(session.series("malaysia_magnet_share_nonchina"))
    assert line[-1] > 0.01  # Malaysia makes magnets by now
    assert np.max(np.abs(parts_total(parts) - line)) < 1e-12
    assert parts["capacity"][-1] > 0  # plants opened


def test_source_labels_are_plain_words():
    assert why.source_label("mou: Malaysia - United States") == "US–Malaysia MoU"
    assert why.source_label("investment: Korea - Malaysia") == "Korea–Malaysia investment"
    assert why.source_label("supply: JS Link - Lynas") == "JS Link–Lynas supply deal"
    assert (
        why.source_label("technology: China Rare Earth Group - Perak state") == "China Rare Earth–Perak technology tie"
    )
    assert why.source_label("trade").startswith("trade")
    assert why.source_label(OTHER) == "other ties"


def test_why_view_is_valid_svg_and_its_parts_add_up(session):
    html = why.why_html(session)
    for key in ("why-alignment", "why-share"):
        match = re.search(rf"data-chart='{key}'.*?data-values='([^']*)'>(<svg.*?</svg>)", html, re.S)
        assert match, key
        data = json.loads(match.group(1).replace("&quot;", '"'))
        assert data["gap"] < 1e-9
        assert sum(data["parts"].values()) == pytest.approx(data["line"], abs=1e-5)
        ET.fromstring(match.group(2))
    assert "Shapley" in html and "utilisation" in html.lower()


def test_why_charts_draw_before_the_first_step():
    fresh = Session("baseline")
    assert "<svg" in why.why_html(fresh)


# ---- the seed ensemble ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny():
    """A six-month run, so that an ensemble of three seeds takes a few seconds."""
    return Session("baseline", overrides={"run.end": "2020-06"})


def test_ensemble_fills_bands_in_the_background(tiny):
    updates: list[int] = []
    started = ensemble.start_ensemble(tiny, on_update=lambda: updates.append(ensemble.bands_seeds(tiny)), seeds=3)
    assert started is not None and started.seeds == [tiny.seed + 1, tiny.seed + 2, tiny.seed + 3]
    assert ensemble.wait_ensemble(tiny, 3, timeout=120)
    # first the session's own seed without its interventions, then from two seeds on one update per seed
    assert updates == [0, 2, 3]
    assert set(ensemble.BAND_COLUMNS) <= set(tiny.bands)
    for column, band in tiny.bands.items():
        assert list(band.columns) == ["year", "p05", "p95"], column
        assert (band["p05"] <= band["p95"]).all(), column
        assert band.attrs["seeds"] == 3
        assert np.allclose(band["year"], [tiny.x0 + t / 12 for t in range(tiny.n_ticks)])
    # the worker's runs are the runs this process makes with those seeds
    runs = [ensemble.run_seed(tiny.scenario, seed) for seed in started.seeds]
    expected = ensemble.band_frames(runs, tiny.x0)["malaysia_alignment"]
    assert np.array_equal(expected.to_numpy(), tiny.bands["malaysia_alignment"].to_numpy())


def test_the_run_without_your_interventions_is_the_same_seed_without_them(tiny):
    from magnetdiplomacy.ui import charts

    ensemble.start_ensemble(tiny, seeds=2)
    assert ensemble.wait_ensemble(tiny, 2, timeout=120)
    reference = tiny.reference
    assert reference is not None and len(reference) == tiny.n_ticks
    assert str(reference["date"].iloc[0].date()) == "2020-01-01"
    alone = ensemble.run_seed(tiny.scenario, tiny.seed)["malaysia_alignment"]
    assert np.array_equal(reference["malaysia_alignment"].to_numpy(), alone)
    # before any intervention the overlay is the previous run; after one, this run without it
    assert charts.comparison(tiny)[1] == "previous run"
    tiny.fire("us_set_tariff", {"rate": 0.4})
    assert charts.comparison(tiny) == (reference, "without your interventions")
    chart = charts.alignment_chart(tiny)
    assert any(entry.label == "without your interventions" for entry in chart.legend)
    tiny.reset(overrides=tiny.overrides)


def test_a_reset_restarts_the_ensemble(tiny):
    first = ensemble.start_ensemble(tiny, seeds=2)
    assert ensemble.wait_ensemble(tiny, 2, timeout=120)
    tiny.reset(overrides=tiny.overrides)  # the same scenario and seed: the same bands
    assert ensemble.restart_ensemble(tiny) is first and ensemble.bands_seeds(tiny) == 2
    tiny.reset(seed=5, overrides=tiny.overrides)
    second = ensemble.restart_ensemble(tiny)
    assert second is not first and second is not None
    assert second.seeds == [6, 7] and ensemble.bands_seeds(tiny) == 0 and tiny.bands == {}
    assert ensemble.wait_ensemble(tiny, 2, timeout=120)
    ensemble.stop_ensemble(tiny)
    assert ensemble.ensemble_of(tiny).detached and ensemble.bands_seeds(tiny) == 2  # the bands stay


def test_a_reload_takes_the_ensemble_over(tiny, monkeypatch):
    monkeypatch.setenv(ensemble.ENV, "3")
    tiny.reset(seed=11, overrides=tiny.overrides)
    calls: list[str] = []
    old_page, new_page = object(), object()
    first = ensemble.attach_ensemble(tiny, lambda: calls.append("old"), None, old_page)
    assert first is not None and first.seeds == [12, 13, 14]
    assert ensemble.attach_ensemble(tiny, lambda: calls.append("new"), None, new_page) is first
    ensemble.stop_ensemble(tiny, old_page)  # the old page closes after the reload: nothing stops
    assert not first.stopping
    assert ensemble.wait_ensemble(tiny, 3, timeout=120)
    assert calls and set(calls) == {"new"}  # only the page that took over redraws
    ensemble.stop_ensemble(tiny, new_page)
    assert first.detached and first.on_update is None and ensemble.bands_seeds(tiny) == 3
    # a reload after the page closed resumes from the seeds there are (all three here)
    again = ensemble.attach_ensemble(tiny, None, None, object())
    assert again is not first and again is not None and again.finished.wait(10)
    assert len(again.runs) == 3 and ensemble.bands_seeds(tiny) == 3


def test_no_ensemble_when_turned_off(monkeypatch):
    monkeypatch.setenv(ensemble.ENV, "0")
    assert ensemble.ensemble_size() == 0
    s = Session("baseline", overrides={"run.end": "2020-03"})
    assert ensemble.start_ensemble(s) is None
    assert ensemble.ensemble_of(s) is None and s.bands == {} and ensemble.restart_ensemble(s) is None
    monkeypatch.setenv(ensemble.ENV, "5")
    assert ensemble.ensemble_size() == 5
    assert ensemble.ensemble_seeds(100, 3) == [101, 102, 103]
