"""Offers valued in one currency (US$ m of present value), decided by values that exceed the noise."""

from __future__ import annotations

import pytest

from magnetdiplomacy import load_scenario
from magnetdiplomacy.mechanisms.economics import RungOutput
from magnetdiplomacy.mechanisms.valuation import (
    Pressure,
    Prices,
    expected_tariff,
    present_value_factor,
    value_offer,
)
from magnetdiplomacy.model import MagnetDiplomacyModel

PRICES = Prices(ore=3.0, oxide=60.0, magnet=90.0, component=300.0, coproduct=2.0)
PRESSURE = Pressure(
    current_tariff=0.19,
    tariff_max=0.5,
    tariff_floor=0.1,
    pressure_threshold=-0.2,
    reward_threshold=0.2,
    exports_to_us_usd=53.85e9,
    tariff_incidence=0.3,
    retaliation_threshold=0.4,
    value_at_risk_usd=500e6,
)
TERMS = dict(delay_months=24, horizon_years=10, discount_rate=0.08, job_value_usd_yr=15000, neutrality_value_usd_yr=5e8)


def oxide_plant(ndpr_t_yr: float) -> RungOutput:
    return RungOutput(oxide_t=ndpr_t_yr / 12, oxide_feed_t=ndpr_t_yr / 12 / 0.2)


def test_present_value_factor():
    assert present_value_factor(10, 0.0) == pytest.approx(10.0)
    assert present_value_factor(10, 0.08) < present_value_factor(10, 0.08, 0) + 1e-12
    assert present_value_factor(10, 0.08, 24) == pytest.approx(present_value_factor(10, 0.08) * 1.08**-2, rel=1e-3)


def test_the_other_sides_rules_set_the_pressure():
    assert expected_tariff(-0.3, PRESSURE) == 0.5  # the US pressures below its threshold
    assert expected_tariff(0.0, PRESSURE) == 0.19
    assert expected_tariff(0.3, PRESSURE) == 0.1  # and rewards above its reward threshold
    # a shift that crosses the US threshold costs the tariff rise on Malaysia's exports to the US
    crossing = value_offer(oxide_plant(3000), 500, PRICES, PRESSURE, -0.1, -0.3, **TERMS)
    assert crossing.pressure_usd_m == pytest.approx(
        0.31 * 53.85e9 * 0.3 * present_value_factor(10, 0.08) / 1e6, rel=1e-9
    )
    # a shift that crosses China's retaliation threshold costs the value China's restriction withholds
    towards_us = value_offer(oxide_plant(3000), 500, PRICES, PRESSURE, 0.35, 0.45, **TERMS)
    assert towards_us.pressure_usd_m == pytest.approx(500 * present_value_factor(10, 0.08), rel=1e-9)


def test_a_larger_offer_is_worth_more():
    values = [
        value_offer(oxide_plant(t), t / 5, PRICES, PRESSURE, 0.0, 0.05, **TERMS).net_usd_m for t in (500, 1000, 3000)
    ]
    assert values == sorted(values) and values[0] > 0


def malaysia_answers(kind: str, noise_usd_m: float, seed: int, **overrides) -> str:
    """Malaysia's answer, in the free-running world of 2027, to an offer of ``kind``."""
    scenario = load_scenario(
        "no_history",
        {
            "run.end": "2027-12",
            "malaysia.hedging.offer_noise_usd_m": noise_usd_m,
            "china.jv_offer_rate_per_year": 0.0,
            "us.floor_offer_rate_per_year": 0.0,
            "us.offtake_offer_rate_per_year": 0.0,
            "partners.korea_offer_rate_per_year": 0.0,
            "partners.australia_offer_rate_per_year": 0.0,
            **overrides,
        },
    )
    model = MagnetDiplomacyModel(scenario, rng=seed)
    model.run(until=model.tick_at("2027-01"))
    sender = {"china_jv": "China", "korea_partnership": "Korea"}[kind]
    model.offers.make(sender, "Malaysia", kind, model.tick)
    model.run(until=model.tick + 2)
    return next(o.status for o in model.offers.offers if o.kind == kind)


def test_without_noise_malaysia_takes_a_valuable_offer_and_declines_a_costly_one():
    # Korea's package: technology and a second JS Link line, no pressure from either side
    assert malaysia_answers("korea_partnership", 0.0, 1) == "accepted"
    # a Chinese joint venture would take alignment below the US's pressure threshold: the tariff
    # it would bring on US$54 bn of exports outweighs the refinery's value added
    assert malaysia_answers("china_jv", 0.0, 1) == "declined"
    # a Malaysia that judges its gestures over ten years, not two, trusts them to offset the tie
    assert malaysia_answers("china_jv", 0.0, 1, **{"malaysia.hedging.stance_horizon_months": 120.0}) == "accepted"
    # and where the US cannot raise its tariff further, the same offer is worth taking
    unpunished = {"us.tariff_max": 0.0, "us.tariff_malaysia_initial": 0.0}
    assert malaysia_answers("china_jv", 0.0, 1, **unpunished) == "accepted"


def test_a_larger_offer_is_accepted_at_least_as_often():
    def accepted(mrec_t_yr: float) -> int:
        return sum(
            malaysia_answers("korea_partnership", 1000.0, seed, **{"jslink.expansion_t_yr": mrec_t_yr}) == "accepted"
            for seed in range(1, 9)
        )

    small, large = accepted(50.0), accepted(3000.0)
    assert large >= small and large > 0
