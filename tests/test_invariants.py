"""Invariants hold every month for random parameter sets drawn from the declared ranges.

The property tests (random runs) are marked ``slow``; the quick suite checks the baseline. Besides
the sweepable parameters, the demand's segment and region shares (drawn as shares that sum to one,
one of them possibly zero) and the number of buyers (from a single buyer up) are varied.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from magnetdiplomacy import MagnetDiplomacyModel, load_scenario
from magnetdiplomacy.interventions import live_actions
from magnetdiplomacy.parameters import REGIONS, SEGMENTS, iter_parameters

# Shares that must sum to one are drawn together (shares()), not one by one.
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


@st.composite
def shares(draw, names: tuple[str, ...]) -> dict[str, float]:
    """Shares of ``names`` summing to one (to 4 decimals), each possibly zero."""
    weights = [draw(st.sampled_from([0.0, 0.0, 0.05, 0.3, 1.0, 3.0]) | st.floats(0.0, 5.0)) for _ in names]
    if sum(weights) == 0:
        weights[draw(st.integers(0, len(names) - 1))] = 1.0
    total = sum(weights)
    values = [round(w / total, 4) for w in weights]
    values[-1] = round(1.0 - sum(values[:-1]), 4)
    if values[-1] < 0:  # rounding went past one: take it from the largest share
        big = values.index(max(values))
        values[big] = round(values[big] + values[-1], 4)
        values[-1] = 0.0
    return dict(zip(names, values, strict=True))


@st.composite
def demand_shapes(draw) -> dict:
    """Segment and region shares of 2020 demand, and the number of buyers."""
    segments = draw(shares(SEGMENTS))
    regions = draw(shares(REGIONS))
    overrides: dict = {f"demand.segments.{name}.share": value for name, value in segments.items()}
    overrides |= {f"demand.regions.{name}": value for name, value in regions.items()}
    overrides["buyers.count"] = draw(st.sampled_from([1, 2, 3, 7]) | st.integers(1, 120))
    return overrides


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


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shape=demand_shapes(), overrides=parameter_sets(), seed=st.integers(0, 2**31 - 1), replay=st.booleans())
def test_invariants_hold_for_any_shape_of_demand(shape, overrides, seed, replay):
    """Segment and region shares anywhere on the simplex (a segment or region may be empty) and any
    number of buyers, with random sweepable parameters: every month still passes the invariants."""
    scenario = load_scenario("baseline", {**overrides, **shape, "run.end": "2028-12", "replay.enabled": replay})
    assert scenario.buyers.count == shape["buyers.count"]
    run_checking_every_month(MagnetDiplomacyModel(scenario, rng=seed))


def test_demand_shapes_are_valid_scenarios():
    """The strategy draws only shares a scenario accepts (quick: no run)."""

    @settings(max_examples=60, deadline=None)
    @given(shape=demand_shapes())
    def check(shape):
        scenario = load_scenario("baseline", shape)
        assert abs(sum(getattr(scenario.demand.regions, name) for name in REGIONS) - 1.0) <= 0.01

    check()


def load_scenario_tree(tree):
    from magnetdiplomacy.scenario import build_scenario

    return build_scenario(tree, "hypothesis")
