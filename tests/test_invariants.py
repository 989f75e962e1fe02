"""Invariants hold every month for random parameter sets drawn from the declared ranges.

The property test (30 random runs) is marked ``slow``; the quick suite checks the baseline.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from magnetdiplomacy import MagnetDiplomacyModel, load_scenario
from magnetdiplomacy.interventions import live_actions
from magnetdiplomacy.parameters import iter_parameters

# Shares that must sum to one are varied by the validator tests, not here.
SWEEPABLE = [
    spec
    for spec in iter_parameters()
    if spec.sweep
    and spec.lo is not None
    and spec.hi is not None
    and not spec.path.startswith(("demand.segments.", "demand.regions."))
]


def parameter_sets():
    values = {
        spec.path: (
            st.integers(int(spec.lo), int(spec.hi))
            if spec.kind == "int"
            else st.floats(spec.lo, spec.hi, allow_nan=False)
        )
        for spec in SWEEPABLE
    }
    return st.fixed_dictionaries({}, optional=values)


ACTIONS = [
    spec.name
    for spec in live_actions()
    if spec.params.model_fields.keys() <= {"grant_rate", "on", "months", "floor_usd_kg"} or spec.name == "us_set_tariff"
]


@st.composite
def interventions(draw):
    chosen = draw(st.lists(st.sampled_from(ACTIONS), max_size=3))
    out = []
    for name in chosen:
        params = {"target": "Malaysia", "rate": draw(st.floats(0, 1))} if name == "us_set_tariff" else {}
        out.append(
            {
                "date": f"{draw(st.integers(2020, 2028))}-{draw(st.integers(1, 12)):02d}",
                "action": name,
                "params": params,
            }
        )
    return out


def run_checking_every_month(model: MagnetDiplomacyModel) -> int:
    """Step the model to its end, checking the invariants after every month; the months checked."""
    months = 0
    while model.running:
        model.step()
        months += 1
        problems = model.check_invariants()
        assert not problems, f"{model.label_of(model.tick - 1)}: {problems}"
        row = model.indicators
        assert -1.0 <= row["malaysia_alignment"] <= 1.0
        for column in (
            "malaysia_magnet_share_global",
            "malaysia_magnet_share_nonchina",
            "malaysia_oxide_share_global",
            "china_mine_share",
            "china_separation_share",
            "china_magnet_share",
            "us_tariff_malaysia",
            "china_export_licence_rate",
        ):
            assert 0.0 <= row[column] <= 1.0 + 1e-9, column
        # substitution away from NdFeB never exceeds the annual cap (C142)
        assert row["substitution_share"] <= model.config.demand.substitution_cap_per_year * (model.tick / 12.0) + 1e-9
    return months


def test_invariants_hold_every_month_of_the_baseline():
    """The quick suite's check: the baseline as declared, replay and agents, with few buyers."""
    model = MagnetDiplomacyModel(load_scenario("baseline", {"run.end": "2029-12", "buyers.count": 40}))
    assert run_checking_every_month(model) == 120


@pytest.mark.slow
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(overrides=parameter_sets(), actions=interventions(), seed=st.integers(0, 2**31 - 1), replay=st.booleans())
def test_invariants_hold_every_month(overrides, actions, seed, replay):
    tree = load_scenario(
        "baseline", {**overrides, "run.end": "2029-12", "buyers.count": 40, "replay.enabled": replay}
    ).model_dump()
    tree["interventions"] = actions
    model = MagnetDiplomacyModel(load_scenario_tree(tree), rng=seed)
    run_checking_every_month(model)


def load_scenario_tree(tree):
    from magnetdiplomacy.scenario import build_scenario

    return build_scenario(tree, "hypothesis")
