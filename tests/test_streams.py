"""Common random numbers: each kind of decision draws from its own named stream, derived from the
seed, the stream's name and the month, so scenarios with the same seed share every draw that their
difference does not touch."""

from __future__ import annotations

import pandas as pd
import pytest

from magnetdiplomacy import load_scenario
from magnetdiplomacy.mechanisms.streams import RandomStreams
from magnetdiplomacy.model import MagnetDiplomacyModel


def test_a_draw_depends_on_seed_name_and_month_only():
    quiet, busy = RandomStreams(7), RandomStreams(7)
    for month in range(3):
        quiet.begin_month(month)
        busy.begin_month(month)
        for _ in range(5):  # other streams drawing more does not move this one
            busy.uniform("china.escalation")
        assert quiet.uniform("malaysia.licence") == busy.uniform("malaysia.licence")
    assert RandomStreams(8).uniform("malaysia.licence") != RandomStreams(7).uniform("malaysia.licence")
    fresh = RandomStreams(7)
    assert fresh.uniform("a") != fresh.uniform("b")
    assert fresh.gauss("a", 2.0, 0.0) == 2.0  # no noise, no draw


def logged_run(overrides: dict | None, months: int) -> tuple[MagnetDiplomacyModel, pd.DataFrame]:
    model = MagnetDiplomacyModel(load_scenario("no_history", overrides), rng=11)
    model.streams.log = []
    model.run(until=months)
    return model, model.datacollector.get_model_vars_dataframe()


def test_scenarios_that_differ_after_month_k_share_history_and_draws():
    """The free-running world (agents decide, nothing replayed) with and without a US tariff on
    Malaysia from month k: identical before k, and every draw both runs make is the same draw."""
    months, k = 48, 30
    tariff = {
        "interventions": [{"date": "2022-07", "action": "us_set_tariff", "params": {"target": "Malaysia", "rate": 0.4}}]
    }
    plain_model, plain = logged_run(None, months)
    taxed_model, taxed = logged_run(tariff, months)
    assert plain_model.label_of(k) == "2022-07"
    pd.testing.assert_frame_equal(plain.iloc[:k], taxed.iloc[:k])
    assert not plain.iloc[k:].equals(taxed.iloc[k:])  # the tariff changes the world after k
    drawn_plain = {(m, s, n): v for m, s, n, v in plain_model.streams.log}
    drawn_taxed = {(m, s, n): v for m, s, n, v in taxed_model.streams.log}
    shared = drawn_plain.keys() & drawn_taxed.keys()
    after_k = [key for key in shared if key[0] >= k]
    assert len(after_k) > 10
    assert all(drawn_plain[key] == drawn_taxed[key] for key in shared)


def test_no_decision_draws_from_the_models_shared_generator():
    """Mesa's ``model.random`` is one stream for everything; a decision drawing from it would
    re-deal every later draw when a scenario changes one of them."""

    class Forbidden:
        def __getattr__(self, name):
            raise AssertionError(f"model.random.{name} used: draw from a named stream instead")

    model = MagnetDiplomacyModel(load_scenario("no_history"), rng=3)
    model.random = Forbidden()
    model.rng = Forbidden()
    model.run(until=36)


@pytest.mark.parametrize("seed", [1, 2])
def test_same_seed_same_run(seed):
    a = MagnetDiplomacyModel(load_scenario("no_history"), rng=seed)
    b = MagnetDiplomacyModel(load_scenario("no_history"), rng=seed)
    a.run(until=24)
    b.run(until=24)
    pd.testing.assert_frame_equal(
        a.datacollector.get_model_vars_dataframe(), b.datacollector.get_model_vars_dataframe()
    )
