"""Malaysia's own politics in money (licence, raw-ore ban), its lean valued in money, and the
great powers' conditional pressure (exclusion from US chains) and answers to each other's moves."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from magnetdiplomacy import load_scenario
from magnetdiplomacy.mechanisms.alignment import settled_alignment
from magnetdiplomacy.mechanisms.offers import OfferBook
from magnetdiplomacy.mechanisms.politics import (
    LONG_RENEWAL_YEARS,
    SHORT_RENEWAL_YEARS,
    LicenceCase,
    OreBanCase,
    investment_drawn_usd,
    ore_ban_value_usd_yr,
    renewal_years,
)
from magnetdiplomacy.mechanisms.valuation import best_stance, pressure_cost_usd
from magnetdiplomacy.model import MagnetDiplomacyModel
from test_valuation import PRESSURE as VALUATION_PRESSURE

PRESSURE = replace(VALUATION_PRESSURE, retaliation_threshold=0.5, exclusion_usd=200e6)


def test_the_licence_weighs_the_plant_against_the_opposition_in_money():
    case = lambda opposition_usd_m: LicenceCase(400e6, 4000, 15000, opposition_usd_m * 1e6)  # noqa: E731
    assert case(0).benefit_usd_yr == pytest.approx(460e6)
    assert renewal_years(case(100), 2.0) == LONG_RENEWAL_YEARS
    assert renewal_years(case(300), 2.0) == SHORT_RENEWAL_YEARS
    assert renewal_years(case(500), 2.0) is None


def test_the_ore_ban_is_worth_the_investment_it_draws_less_the_exports_and_the_clause():
    base = dict(ore_usd_kg=3.0, stranded_jobs=0.0, job_value_usd_yr=15000.0)
    assert ore_ban_value_usd_yr(OreBanCase(0.0, investment_usd_yr=50e6, clause_usd_yr=0.0, **base)) == 50e6
    stranded = OreBanCase(10_000.0, investment_usd_yr=0.0, clause_usd_yr=0.0, **base)
    assert ore_ban_value_usd_yr(stranded) == pytest.approx(-30e6)
    clause = OreBanCase(0.0, investment_usd_yr=50e6, clause_usd_yr=80e6, **base)
    assert ore_ban_value_usd_yr(clause) == pytest.approx(-30e6)
    # the ban draws the extra chance of an offer, valued at what Malaysia would take it to be worth
    assert investment_drawn_usd(0.3, 0.15, 1e9) == pytest.approx((math.exp(-0.15) - math.exp(-0.3)) * 1e9)
    assert investment_drawn_usd(0.3, 0.15, -1e9) == 0.0


def test_a_lean_takes_alignment_further_the_longer_it_is_held():
    args = dict(concessions_now=0.0, concessions_per_year=0.1, half_life_years=6.0, concessions_weight=1.0)
    short = settled_alignment(0.0, 1.0, months=24, **args)
    long = settled_alignment(0.0, 1.0, months=240, **args)
    assert 0 < short < long < 1
    assert settled_alignment(0.0, -1.0, months=24, **args) == pytest.approx(-short)
    assert [settled_alignment(0.1, x / 4, months=24, **args) for x in range(-4, 5)] == sorted(
        settled_alignment(0.1, x / 4, months=24, **args) for x in range(-4, 5)
    )


def test_the_lean_is_the_cheapest_stance_in_money():
    settles = lambda lean: math.tanh(0.1 + 0.5 * lean)  # noqa: E731
    # the US reward (tariff 19% -> 10% on US$54 bn, 30% borne) is worth leaning for, up to the reward threshold
    lean, alignment, value = best_stance(settles, PRESSURE, 500e6)
    assert alignment > PRESSURE.reward_threshold and alignment < PRESSURE.retaliation_threshold
    assert value == pytest.approx(-(0.1 * 53.85e9 * 0.3) - 500e6 * alignment**2)
    # with the reward already given (tariff at the floor), Malaysia leans towards neutrality
    given = replace(PRESSURE, current_tariff=0.1)
    lean_given, alignment_given, _ = best_stance(settles, given, 500e6)
    assert lean_given < 0 and abs(alignment_given) < 0.1
    # a tie that would take it past China's threshold is offset by leaning towards China
    pulled = lambda lean: math.tanh(0.8 + 0.5 * lean)  # noqa: E731
    lean_pulled, alignment_pulled, _ = best_stance(pulled, PRESSURE, 500e6)
    assert lean_pulled < 0 and PRESSURE.reward_threshold < alignment_pulled < PRESSURE.retaliation_threshold
    # exclusion from US chains is the US's last rung, below its pressure threshold
    assert pressure_cost_usd(-0.3, PRESSURE) == pytest.approx(0.5 * 53.85e9 * 0.3 + 200e6)


def model_at(when: str, **overrides) -> MagnetDiplomacyModel:
    scenario = load_scenario("baseline", {"run.end": "2029-12", "outputs.agent_table": False, **overrides})
    model = MagnetDiplomacyModel(scenario, rng=1)
    model.run(until=model.tick_at(when))
    return model


def test_a_new_ore_ban_breaks_the_us_clause_and_lifting_it_renews_the_tie():
    model = model_at("2026-06")
    clause = ("United States", "Malaysia", "mou")
    assert model.partnerships.has(*clause) and model.controls.raw_ore_ban(model.tick)
    weakened = model.partnerships.strength(*clause, model.tick)
    assert weakened < 1.0
    model.act("malaysia_raw_ore_ban", {"on": False})
    assert not model.controls.raw_ore_ban(model.tick)
    assert model.partnerships.strength(*clause, model.tick) == pytest.approx(1.0)
    model.act("malaysia_raw_ore_ban", {"on": True})
    assert model.controls.raw_ore_ban(model.tick) and not model.partnerships.has(*clause)


def test_china_offers_a_refinery_more_often_while_ore_may_not_leave_raw():
    model = model_at("2026-06")
    banned, open_exports = model.china.jv_offer_rate(True), model.china.jv_offer_rate(False)
    assert open_exports == pytest.approx(banned * model.config.china.jv_offer_share_without_ore_ban)
    assert open_exports < banned


def test_malaysia_keeps_a_ban_that_draws_investment_and_lifts_one_that_only_strands_ore():
    quiet = {"malaysia.ore_ban_noise_usd_m_yr": 0.0, "malaysia.ore_ban_reversal_cost_usd_m": 0.0}
    # E046's joint venture is left out, so China's offer is still to come: the ban draws it
    drawing = model_at("2027-02", **quiet, **{"replay.exclude": ["E046"]})
    case = drawing.malaysia.ore_ban_case()
    assert case.investment_usd_yr > case.forgone_usd_yr + case.clause_usd_yr
    assert drawing.controls.raw_ore_ban(drawing.tick)
    # with no joint venture to draw (China makes no offers) and a large mine with no domestic
    # refiner (no state supply tie with Lynas: E035 left out), the ban only strands ore: Malaysia
    # lifts it at its first review
    world = {"china.jv_offer_rate_per_year": 0.0, "mines.malaysia_pilot_t_yr": 10_000.0}
    before = model_at("2026-12", **quiet, **world, **{"replay.exclude": ["E046", "E035"]})
    stranded = before.malaysia.ore_ban_case()
    assert stranded.investment_usd_yr == 0.0 and stranded.stranded_ore_t_yr == pytest.approx(10_000.0)
    assert before.controls.raw_ore_ban(before.tick)
    before.run(until=before.tick_at("2027-02"))
    assert not before.controls.raw_ore_ban(before.tick)
    # where Lynas refines Malaysian ore (the Kelantan tie, E035), nothing is stranded
    refined = model_at("2026-12", **quiet, **world, **{"replay.exclude": ["E046"]}).malaysia.ore_ban_case()
    assert refined.stranded_ore_t_yr < stranded.stranded_ore_t_yr


def test_malaysia_renews_or_drops_lynas_by_value_and_opposition():
    own_decision = {"replay.until": "2026-01", "replay.exclude": ["E060"]}

    def renewal(opposition_usd_m: float) -> float:
        model = model_at(
            "2026-04",
            **own_decision,
            **{
                "malaysia.licence_opposition_usd_m_yr": opposition_usd_m,
                "malaysia.licence_opposition_sd_usd_m_yr": 0.0,
            },
        )
        return model.licence.years_left if model.licence.valid else 0.0

    # what the plant brings in the month Malaysia decides (the licence runs to March 2026)
    benefit_usd_m = model_at("2026-02", **own_decision).malaysia.licence_case(0.0).benefit_usd_yr / 1e6
    assert renewal(0.0) > 9  # ten years from March 2026
    assert 2 < renewal(0.75 * benefit_usd_m) < 4  # worth more than its opposition, not twice: three years
    assert renewal(1.25 * benefit_usd_m) == 0.0  # the opposition outweighs the plant: the licence lapses


def test_us_pressure_ends_in_exclusion_from_its_defence_and_subsidy_chains():
    model = model_at("2026-06")
    model.act("us_extend_price_floor_malaysia")
    assert "lynas_malaysia" in model.price_floors()
    model.act("us_exclude_malaysia", {"on": True})
    assert model.controls.origin_rule(model.tick, "malaysia")
    assert "lynas_malaysia" not in model.price_floors()  # the floor stops covering Malaysian oxide
    assert model.offers.rival_moved("China", model.tick)  # China may court a pressured Malaysia
    model.act("us_exclude_malaysia", {"on": False})
    assert not model.controls.origin_rule(model.tick, "malaysia") and "lynas_malaysia" in model.price_floors()


def test_the_us_excludes_malaysia_only_once_its_tariff_is_at_its_highest():
    model = model_at("2026-06")
    us = model.us
    model.malaysia.alignment = -0.5
    us._review_exclusion(-0.5, 0.3)
    assert not model.controls.origin_rule(model.tick, "malaysia")
    us._review_exclusion(-0.5, model.config.us.tariff_max)
    assert model.controls.origin_rule(model.tick, "malaysia")
    us._review_exclusion(0.0, model.config.us.tariff_max)
    assert not model.controls.origin_rule(model.tick, "malaysia")


def test_pressure_is_a_move_the_rival_answers():
    book = OfferBook()
    assert not book.rival_moved("United States", 10)
    book.pressed("China", 10)
    assert book.rival_moved("United States", 11) and not book.rival_moved("China", 11)
    assert not book.rival_moved("United States", 10 + 12)


def test_the_joint_ventures_know_how_is_worth_less_under_chinas_technology_ban():
    banned = model_at("2026-06")  # China's technology-export bans (E026, E050) replayed
    free = model_at("2026-06", **{"replay.exclude": ["E026", "E050"]})
    assert banned.controls.tech_ban(banned.tick) and not free.controls.tech_ban(free.tick)
    assert banned.malaysia.know_how_gain("china_jv") == pytest.approx(
        0.5 * banned.config.china.jv_capability_gain
    )  # half the transfer, and the Chinese technology tie teaches nothing under the ban
    assert free.malaysia.know_how_gain("china_jv") > 2 * banned.malaysia.know_how_gain("china_jv")
    assert 0 < banned.malaysia.know_how_value_usd_yr("china_jv") < free.malaysia.know_how_value_usd_yr("china_jv")
    # Korea's technology is not China's to ban
    assert banned.malaysia.know_how_gain("korea_partnership") == pytest.approx(
        free.malaysia.know_how_gain("korea_partnership")
    )


def test_an_on_switch_in_a_scenario_file_is_a_key_not_a_boolean(tmp_path):
    path = tmp_path / "lift.yaml"
    path.write_text(
        "name: lift\nextends: baseline\ninterventions:\n"
        "  - date: 2026-04\n    action: malaysia_raw_ore_ban\n    params: {on: false}\n"
        "  - date: 2026-05\n    action: us_exclude_malaysia\n    params:\n      on: true\n"
    )
    scenario = load_scenario(path, {"run.end": "2026-06", "outputs.agent_table": False})
    model = MagnetDiplomacyModel(scenario, rng=1)
    model.run()
    assert not model.controls.raw_ore_ban(model.tick - 1)
    assert model.controls.origin_rule(model.tick - 1, "malaysia")
