"""Every agent rule and mechanism alone: numbers in, numbers out, no model built.

Rules take plain numbers, small state objects (plants, parcels, the control book, the offer book,
the partnership graph) and, where they read settings, a default :class:`Scenario` or one of its
sections, so each can be checked by hand.
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
import pytest

from magnetdiplomacy.agents.base import monthly_chance
from magnetdiplomacy.agents.china import (
    counter_threat_usd_bn,
    easing_chance,
    escalation_chance,
    escalation_gain_usd_bn,
    quota_growth,
)
from magnetdiplomacy.agents.firms import expansion_full_cost, jslink_ramp_months, lynas_may_expand
from magnetdiplomacy.agents.malaysia import learning
from magnetdiplomacy.agents.united_states import tariff_review
from magnetdiplomacy.interventions import ACTIONS, ActionError, validate_action
from magnetdiplomacy.mechanisms import accounts, heavy, oxide, production, trade
from magnetdiplomacy.mechanisms.chain import Chain, Parcel, Plant
from magnetdiplomacy.mechanisms.controls import Control, ControlBook, LicenceState
from magnetdiplomacy.mechanisms.economics import RungOutput
from magnetdiplomacy.mechanisms.investment import capacity_gap_t_yr, review_due
from magnetdiplomacy.mechanisms.offers import OFFER_KINDS, OfferBook, offer_push, offer_rungs
from magnetdiplomacy.mechanisms.partnerships import TIE_WEIGHTS, PartnershipGraph
from magnetdiplomacy.observe import mass_balance_error, share, us_import_reliance
from magnetdiplomacy.parameters import DemandSettings, Scenario, USSettings
from magnetdiplomacy.world import build_chain, initial_orders

CONFIG = Scenario()
LICENSED = LicenceState(True, 120, True, True, 10.0)


def conditions(**changes) -> production.Conditions:
    values = dict(
        tick=0,
        licence=LICENSED,
        raw_ore_ban=False,
        mountain_pass_to_china=True,
        malaysian_ore_to_lynas=False,
        china_mining_quota_t_yr=120_000.0,
        china_separation_quota_t_yr=120_000.0,
        china_imports_under_quota=False,
    )
    values.update(changes)
    return production.Conditions(**values)


def plant(name: str, stage: str, capacity: float = 1200.0, **kw) -> Plant:
    country = kw.pop("country", "malaysia")
    pool = kw.pop("pool", "exchina")
    return Plant(name, "owner", country, stage, pool, capacity, **kw)


# ---- plants --------------------------------------------------------------------------------


def test_capacity_follows_its_changes_within_a_month():
    p = plant("p", "magnet", 1200.0, start=10, ramp_months=4)
    assert p.capacity_t_yr(11) == pytest.approx(600.0)
    p.add_capacity(11, 1200.0, 0.0)
    assert p.capacity_t_yr(11) == pytest.approx(1800.0)
    p.close(11)
    assert p.capacity_t_yr(11) == 0.0 and p.planned_t_yr(11) == 0.0
    p.reopen()
    p.delay(5)
    assert p.capacity_t_yr(11) == pytest.approx(1200.0)  # the addition only
    p.set_ramp(0.0)
    assert p.capacity_t(15) == pytest.approx(200.0)


def test_a_pending_plant_reads_its_nameplate_when_it_opens():
    late = plant("late", "magnet", 0.0, start=5)
    chain = Chain(
        {"late": late},
        [late],
        pending={
            "late": (CONFIG.separation, ("lynas_heavy_feed_t_yr", "heavy_yield_of_feed"), "lynas_heavy_ramp_months")
        },
    )
    expected = CONFIG.separation.lynas_heavy_feed_t_yr * CONFIG.separation.heavy_yield_of_feed
    chain.open_due(4)
    assert late.nameplate_t_yr == 0.0 and "late" in chain.pending and chain.nameplate("late") == expected
    chain.open_due(5)
    assert late.nameplate_t_yr == expected and late.ramp_months == CONFIG.separation.lynas_heavy_ramp_months
    assert not chain.pending


# ---- production ----------------------------------------------------------------------------


def test_a_mine_slows_as_unshipped_ore_piles_up():
    mine = plant("m", "mine", 1200.0, grade=0.2)  # 100 t a month
    totals = defaultdict(float)
    production.mine({"m": mine}, conditions(), totals)
    assert mine.output_t == pytest.approx(100.0)
    mine.ore = Parcel(400.0, 80.0)  # four months of output waiting: rate 1.5 - 400/400 = 0.5
    production.mine({"m": mine}, conditions(), totals)
    assert mine.utilisation == pytest.approx(0.5) and mine.output_t == pytest.approx(50.0)
    assert totals["mined_reo"] == pytest.approx(150.0)


def test_china_mines_work_to_the_quota():
    mine = plant("china_mines", "mine", 0.0, country="china", pool="china", grade=0.2)
    production.mine({"china_mines": mine}, conditions(china_mining_quota_t_yr=24_000.0), defaultdict(float))
    assert mine.output_t == pytest.approx(2_000.0)


def test_routes_close_with_the_ore_ban_the_licence_and_escalation():
    china_sep = plant("china_separation", "separation", math.inf, country="china", pool="china")
    lynas = plant("lynas_malaysia", "separation", 6000.0)
    malaysian = plant("perak_pilot", "mine", 600.0, grade=0.2)
    mountain_pass = plant("mountain_pass", "mine", 39_000.0, country="united_states", grade=0.2)
    assert production.route_open(malaysian, china_sep, conditions())
    assert not production.route_open(malaysian, china_sep, conditions(raw_ore_ban=True))
    assert not production.route_open(mountain_pass, china_sep, conditions(mountain_pass_to_china=False))
    assert not production.route_open(malaysian, lynas, conditions())  # no supply tie with a Malaysian state
    assert production.route_open(malaysian, lynas, conditions(malaysian_ore_to_lynas=True))
    no_licence = LicenceState(False, None, False, False, 0.0)
    assert not production.route_open(malaysian, lynas, conditions(malaysian_ore_to_lynas=True, licence=no_licence))


def test_without_cracking_in_malaysia_kalgoorlie_bounds_mt_welds_feed():
    mt_weld = plant("mt_weld", "mine", 20_000.0, grade=0.3, country="australia")
    lynas = plant("lynas_malaysia", "separation", 12_000.0)
    kalgoorlie = plant("kalgoorlie", "crack", 1_200.0, country="australia")
    open_room = production.feed_room(mt_weld, lynas, conditions(), CONFIG, kalgoorlie)
    tight = LicenceState(True, 120, False, False, 10.0)
    bounded = production.feed_room(mt_weld, lynas, conditions(licence=tight), CONFIG, kalgoorlie)
    assert bounded == pytest.approx(100.0 / (0.3 * CONFIG.separation.recovery))
    assert bounded < open_room


def test_separators_slow_below_full_cost_cut_below_cash_cost_and_recover_above():
    p = plant("s", "separation", 1200.0, utilisation=1.0)
    p.cash_cost_usd_kg, p.capital_usd_kg = 30.0, 20.0
    production.respond_to_price(p, price=40.0, response=0.5, floor=0.3)
    assert p.utilisation == pytest.approx(1.0 - 0.5 * (1.0 - 0.65))  # half way to 0.3 + 0.7 x 10/20
    production.respond_to_price(p, price=10.0, response=1.0, floor=0.3)
    assert p.utilisation == pytest.approx(0.3)  # below cash cost: the floor
    production.respond_to_price(p, price=50.0, response=1.0, floor=0.3)
    assert p.utilisation == 1.0  # at full cost: all of it


def test_a_separator_mothballs_after_sustained_losses_and_restarts_when_prices_recover():
    p = plant("other_separation", "separation", 1200.0)
    p.cash_cost_usd_kg, p.capital_usd_kg = 40.0, 15.0
    costs = CONFIG.costs.model_copy(update={"closure_months": 3, "restart_months": 2})
    changes = [production.review_operations(p, 30.0, costs) for _ in range(3)]
    assert changes[:2] == [None, None] and "mothballed" in changes[2]
    assert p.mothballed and p.capacity_t(0) == 0.0
    assert production.review_operations(p, 50.0, costs) is None  # above cash, below full: stays shut
    assert production.review_operations(p, 60.0, costs) is None
    assert "restarts" in production.review_operations(p, 60.0, costs)
    assert not p.mothballed and p.capacity_t(0) == pytest.approx(100.0)


def test_separation_conserves_mass_and_books_it():
    sep = plant("other_separation", "separation", 1200.0)
    sep.ore = Parcel(1000.0, 200.0)
    totals = defaultdict(float)
    sep.cash_cost_usd_kg, sep.capital_usd_kg = 40.0, 15.0
    production.separate_all({"other_separation": sep}, conditions(), CONFIG, 0.0, {"other_separation": 60.0}, totals)
    assert sep.output_t == pytest.approx(100.0)  # capacity: 100 t NdPr a month
    used = totals["separated_feed_reo"]
    assert used == pytest.approx(100.0 / (0.2 * CONFIG.separation.recovery))
    assert totals["separated_ndpr"] + totals["coproduct"] + totals["separation_loss"] == pytest.approx(used)


def test_chinese_separation_runs_to_its_quota_plus_imports_outside_it():
    sep = plant("china_separation", "separation", math.inf, country="china", pool="china")
    sep.ore = Parcel(100_000.0, 20_000.0)
    cond = conditions(china_separation_quota_t_yr=12_000.0)
    sep.cash_cost_usd_kg, sep.capital_usd_kg = 30.0, 15.0
    limit = production.separation_limit(sep, cond, CONFIG, 500.0, 100.0)
    assert limit == pytest.approx(1_500.0)
    inside = conditions(china_separation_quota_t_yr=12_000.0, china_imports_under_quota=True)
    assert production.separation_limit(sep, inside, CONFIG, 500.0, 100.0) == pytest.approx(1_000.0)


def test_a_heavy_circuit_draws_a_share_of_its_parents_coproducts():
    parent = plant("lynas_malaysia", "separation", 6000.0)
    parent.coproduct_t = 1000.0
    heavy = plant("lynas_heavy", "heavy", 1200.0)
    other_parent, other = plant("mp_separation", "separation", 0.0), plant("mp_heavy", "heavy", 0.0)
    plants = {p.name: p for p in (parent, heavy, other_parent, other)}
    totals = defaultdict(float)
    production.heavy_circuits(plants, conditions(), totals)
    assert heavy.output_t == pytest.approx(production.HEAVY_SHARE_OF_COPRODUCT * 1000.0)
    assert parent.coproduct_t == pytest.approx(1000.0 - heavy.output_t) and totals["heavy_made"] == heavy.output_t


def test_magnet_makers_plan_orders_plus_the_stock_gap_within_capacity():
    maker = plant("m", "magnet", 1200.0)
    maker.orders_t, maker.product_t = 80.0, 30.0
    assert production.plan_magnets([maker], 0, 1.0)["m"] == pytest.approx(100.0)  # 80 + 80 - 30, capped at 100
    maker.product_t = 100.0
    assert production.plan_magnets([maker], 0, 1.0)["m"] == pytest.approx(60.0)


# ---- trade ---------------------------------------------------------------------------------


def test_demand_shock_has_a_trough_and_a_linear_recovery():
    demand = DemandSettings(shock_depth=0.2, shock_recovery_months=10)
    assert trade.demand_shock(4, 5, demand) == 1.0
    assert trade.demand_shock(6, 5, demand) == pytest.approx(0.8)
    assert trade.demand_shock(12, 5, demand) == pytest.approx(1.0 - 0.2 * (1.0 - 5 / 10))
    assert trade.demand_shock(40, 5, demand) == 1.0


def test_tension_grows_with_escalation_and_hostility():
    assert trade.tension(0, 0.5) == pytest.approx(0.1)
    assert trade.tension(2, -0.5) == pytest.approx(0.1 + 0.3 + 0.15)
    assert trade.tension(3, -1.0) == pytest.approx(0.85)


def test_know_how_and_the_incentive_move_malaysian_magnet_costs():
    js = plant("jslink_magnets", "magnet", 3000.0, cost_factor=1.0)
    prices = {"ndpr_exchina": 60.0, "dy_exchina": 300.0, "tb_exchina": 900.0}
    novice = trade.unit_cost(js, prices, CONFIG, 0.0, 0.0)
    expert = trade.unit_cost(js, prices, CONFIG, 1.0, 0.0)
    helped = trade.unit_cost(js, prices, CONFIG, 0.0, 1.0)
    conversion = CONFIG.market.magnet_conversion_cost_usd_kg
    assert novice - expert == pytest.approx(conversion * CONFIG.market.know_how_cost_penalty)
    assert novice - helped == pytest.approx(trade.conversion_cost(js, CONFIG, 0.0) * CONFIG.malaysia.incentive_cost_cut)


def _oxide_chain() -> Chain:
    seller = plant("other_separation", "separation", 1200.0)
    seller.product_t = 100.0
    china_seller = plant("china_separation", "separation", math.inf, country="china", pool="china")
    china_seller.product_t = 1000.0
    makers = [
        plant("china_magnets", "magnet", 12_000.0, country="china", pool="china"),
        plant("japan_magnets", "magnet", 1200.0, country="japan"),
    ]
    plants = {p.name: p for p in (seller, china_seller, *makers)}
    return Chain(plants, makers)


def test_the_oxide_pools_ration_and_trade_what_licences_allow():
    chain = _oxide_chain()
    market = trade.MarketState.start(CONFIG, chain.magnet_plants)
    planned = {"china_magnets": 500.0, "japan_magnets": 100.0}
    request = oxide.oxide_requests(chain, planned, CONFIG)
    before = sum(p.product_t + p.input_t for p in chain.plants.values())
    trade_out, demand, _ = oxide.clear_oxide_pools(chain, planned, request, CONFIG, 0.0, market)
    assert trade_out.china_to_exchina_t == 0.0  # no licences granted: nothing leaves China
    assert chain.plants["japan_magnets"].input_t == pytest.approx(
        request["japan_magnets"]
    )  # the ex-China pool suffices
    after = sum(p.product_t + p.input_t for p in chain.plants.values()) + chain.totals["ndpr_other_uses"]
    assert after == pytest.approx(before)
    short = {"china_magnets": 500.0, "japan_magnets": 300.0}  # more than the ex-China pool holds
    for availability, crosses in ((0.0, False), (1.0, True)):
        chain2 = _oxide_chain()
        traded, _, _ = oxide.clear_oxide_pools(
            chain2,
            short,
            oxide.oxide_requests(chain2, short, CONFIG),
            CONFIG,
            availability,
            trade.MarketState.start(CONFIG, chain2.magnet_plants),
        )
        assert (traded.china_to_exchina_t > 0.0) == crosses


def test_non_china_heavy_rare_earths_go_to_ties_first_then_pro_rata():
    chain = Chain({"lynas_heavy": plant("lynas_heavy", "heavy", 1.0), "mp_heavy": plant("mp_heavy", "heavy", 1.0)}, [])
    chain.plants["lynas_heavy"].product_t = 6.0
    chain.plants["mp_heavy"].product_t = 0.0
    need = {"jslink_magnets": 5.0, "japan_magnets": 10.0}
    received = heavy.allocate_nonchina_heavy(chain, need, [("lynas_heavy", "jslink_magnets", 0.8)])
    assert received["jslink_magnets"] == pytest.approx(4.0 + 1.0 * 2.0 / 11.0)
    assert received["japan_magnets"] == pytest.approx(10.0 * 2.0 / 11.0)
    assert chain.plants["lynas_heavy"].product_t == pytest.approx(0.0)


def test_magnet_margins_rise_when_orders_press_on_capacity():
    maker = plant("japan_magnets", "magnet", 1200.0, country="japan")
    maker.effective_capacity_t, maker.orders_t = 100.0, 100.0
    chain = Chain({"japan_magnets": maker}, [maker])
    market = trade.MarketState.start(CONFIG, [maker])
    normal = market.margins["exchina"]
    trade.update_margins(chain, market, CONFIG)
    assert market.margins["exchina"] > normal
    maker.orders_t = 10.0
    for _ in range(24):
        trade.update_margins(chain, market, CONFIG)
    assert market.margins["exchina"] < normal


def test_buyers_see_chinese_magnets_through_licences():
    book = ControlBook()
    book.add(
        Control(
            "export_licensing",
            "China",
            "World",
            0,
            params={"elements": ["Dy"], "products": ["magnets"], "grant_rate": 0.0},
        )
    )
    names = ("china_magnets", "japan_magnets", "row_magnets", "us_magnets", "jslink_magnets")
    makers = [
        plant(
            n,
            "magnet",
            1200.0,
            country="china" if n.startswith("china") else "japan",
            pool="china" if n.startswith("china") else "exchina",
        )
        for n in names
    ]
    chain = Chain({p.name: p for p in makers}, makers)
    market = trade.MarketState.start(CONFIG, makers)
    view = trade.market_view(chain, market, CONFIG, book, 0, [50.0] * 5, 0.1, 1.0)
    h = CONFIG.magnets.heavy_grade_share
    assert view.reachable[1, 0] == pytest.approx(1.0 - h)  # the US region: only magnets without Dy/Tb
    assert view.reachable[0, 0] == 1.0  # Chinese buyers are not licensed
    assert view.price[0] == pytest.approx(50.0 * (1.0 + market.margins["china"]))


# ---- investment and agents' rules ----------------------------------------------------------


def test_capacity_is_reviewed_twice_a_year_and_added_when_tight():
    assert (
        review_due(12, [1.0] * 12, 1.0) and not review_due(13, [1.0] * 12, 1.0) and not review_due(12, [1.0] * 11, 1.0)
    )
    gap = capacity_gap_t_yr([100.0] * 12, 1000.0, 0.0, 24, 0.8)
    assert gap == pytest.approx(1200.0 / 0.8 - 1000.0)
    assert capacity_gap_t_yr([50.0] * 12, 1000.0, 0.0, 24, 0.8) == 0.0


def test_the_us_pressures_a_china_leaning_malaysia_and_rewards_a_us_leaning_one():
    us = USSettings()
    up = tariff_review(-0.5, 0.1, us)
    down = tariff_review(0.5, 0.3, us)
    assert up is not None and up[0] == pytest.approx(0.1 + us.tariff_step) and up[1].startswith("Pressure")
    assert down is not None and down[0] == pytest.approx(0.3 - us.tariff_step) and down[1].startswith("Reward")
    assert tariff_review(0.0, 0.2, us) is None
    assert tariff_review(-0.5, us.tariff_max, us) is None


def test_chinas_quota_grows_with_offtake_and_price_within_its_band():
    assert quota_growth(0.05, 1.0, 0.1) == pytest.approx(0.05)
    assert quota_growth(0.05, 2.0, 0.1) == pytest.approx(0.15)
    assert quota_growth(0.5, 1.0, 0.1) == 0.3
    assert quota_growth(-0.5, 1.0, 0.1) == -0.1


def test_china_escalates_with_hostility_and_eases_when_relations_recover():
    assert (
        escalation_chance(0.1, -0.5, 10.0, 0.0) == pytest.approx(0.05) and escalation_chance(0.1, 0.2, 10.0, 0.0) == 0
    )
    assert (
        easing_chance(0.1, 0.1, 0.1, 10.0, 0.0) == pytest.approx(0.02) and easing_chance(0.1, -0.5, 0.1, 10.0, 0.0) == 0
    )


def test_a_us_counter_threat_deters_china_and_shortens_its_escalation():
    gain = escalation_gain_usd_bn(50.0, -0.5)  # US$25 bn a year at half hostility
    assert gain == pytest.approx(25.0)
    weak, strong = counter_threat_usd_bn(0.1, 439.0, 0.3), counter_threat_usd_bn(0.5, 439.0, 0.3)
    assert weak < gain < strong
    assert escalation_chance(0.1, -0.5, gain, strong) == 0.0  # deterred
    assert 0 < escalation_chance(0.1, -0.5, gain, weak) < escalation_chance(0.1, -0.5, gain, 0.0)
    # once escalated, a threat that outweighs the gain makes China ease even while relations are sour
    assert easing_chance(0.03, -0.5, 0.1, gain, weak) == 0.0
    assert easing_chance(0.03, -0.5, 0.1, gain, strong) > 0.05


def test_yearly_rates_become_monthly_chances():
    assert monthly_chance(0.0) == 0.0
    assert monthly_chance(12.0) == pytest.approx(1.0 - math.exp(-1.0))


def test_know_how_grows_by_doing_and_from_technology_ties_up_to_one():
    assert learning(0.1, 0.12, 1.0, 0) == pytest.approx(0.11)
    assert learning(0.1, 0.12, 0.0, 2) == pytest.approx(0.11)
    assert learning(0.999, 0.12, 1.0, 5) == 1.0


def test_lynas_expands_only_with_licence_price_cash_and_a_full_plant():
    full_cost = expansion_full_cost(33.0, 150.0, 2000.0, 0.13)
    assert full_cost == pytest.approx(33.0 + 150e6 * 0.13 / 2e6)
    ok = dict(
        years_left=8.0,
        months_since_last=40,
        expected_price_usd_kg=50.0,
        full_cost_usd_kg=full_cost,
        cash_usd_m=200.0,
        capex_usd_m=150.0,
        utilisation=0.9,
    )
    assert lynas_may_expand(**ok)
    for change in (
        {"years_left": 4.0},
        {"months_since_last": 20},
        {"expected_price_usd_kg": 42.0},
        {"cash_usd_m": 100.0},
        {"utilisation": 0.8},
    ):
        assert not lynas_may_expand(**(ok | change)), change


def test_know_how_shortens_jslinks_ramp():
    assert jslink_ramp_months(24.0, 0.1) == pytest.approx(24.0)
    assert jslink_ramp_months(24.0, 0.6) < 24.0


# ---- offers, ties, controls ----------------------------------------------------------------


def test_offer_kinds_are_declared_once_and_the_vocabulary_follows():
    for kind in OFFER_KINDS:
        assert validate_action("malaysia_accept_offer", {"offer": kind}).offer == kind
    with pytest.raises(ActionError, match="offer"):
        validate_action("malaysia_decline_offer", {"offer": "bribe"})
    for kind in OFFER_KINDS.values():
        assert kind.sender in ("China", "United States", "Korea", "Australia")
        assert offer_rungs(kind.name, CONFIG) != RungOutput()
        for a, b, tie, _ in kind.ties:
            assert tie in TIE_WEIGHTS and a and b
    assert "malaysia_accept_offer" in ACTIONS and "malaysia_decline_offer" in ACTIONS


def test_an_offer_waits_is_replaced_and_expires():
    book = OfferBook()
    book.make("China", "Malaysia", "china_jv", tick=3)
    assert book.has_open("china_jv") and book.open_for("Malaysia", 3) == [] and len(book.open_for("Malaysia", 4)) == 1
    book.make("China", "Malaysia", "china_jv", tick=5)
    assert [o.status for o in book.offers] == ["replaced", "open"]
    assert book.months_since("china_jv", 9) == 4 and book.months_since("us_floor", 9) > 10**5
    assert [o.kind for o in book.expire(17)] == ["china_jv"] and not book.has_open("china_jv")


def test_accepting_an_offer_pushes_alignment_by_its_ties_and_concession():
    assert offer_push("us_offtake", 1.0, 1.0) == pytest.approx(TIE_WEIGHTS["supply"])
    assert offer_push("china_jv", 1.0, 1.0) == pytest.approx(-(0.3 + 0.2) - 0.1)
    assert offer_push("china_jv", 2.0, 0.0) == pytest.approx(-2 * (0.3 + 0.2))


def test_ties_across_the_border_count_by_bloc_and_chinese_technology_only_without_a_ban():
    graph = PartnershipGraph()
    graph.form("United States", "JS Link", "investment", 0)
    graph.form("China Rare Earth Group", "Khazanah Nasional", "technology", 0)
    graph.form("Korea", "JS Link", "technology", 0)
    graph.form("United States", "MP Materials", "investment", 0)  # not Malaysian: does not count
    us_ties, china_ties = graph.bloc_ties()
    assert us_ties == pytest.approx(0.3 + 0.2 * 0.5) and china_ties == pytest.approx(0.2)
    assert graph.technology_ties(False) == 2 and graph.technology_ties(True) == 1
    assert graph.count() == 4 and graph.has("JS Link", "United States", "investment")
    graph.dissolve("United States", "JS Link", "investment", 1)
    assert graph.count() == 3 and graph.bloc_ties()[0] == pytest.approx(0.1)


def test_control_amendments_change_what_applies_at_once():
    book = ControlBook()
    regime = book.add(
        Control(
            "export_licensing",
            "China",
            "World",
            0,
            params={"elements": ["Dy"], "products": ["oxides"], "grant_rate": 0.3},
        )
    )
    assert book.licence_availability("heavy", "europe", 0) == pytest.approx(0.3)
    book.relax_grants(0.8, 0)
    assert book.licence_availability("heavy", "europe", 0) == pytest.approx(0.8)
    book.set_destination_rate("united_states", 0.95, 0)
    assert book.licence_availability("heavy", "united_states", 0) == pytest.approx(0.95)
    book.tighten_world_licensing(0.5, 0)
    assert book.licence_availability("heavy", "united_states", 0) == pytest.approx(0.5)
    book.suspend({"x"}, 10, 0)
    regime.params["announcement"] = "x"
    book.suspend({"x"}, 10, 0)
    assert book.licence_availability("heavy", "europe", 1) == 1.0 and book.suspended_announcements(10) == {"x"}
    assert book.revive_suspended(2) == [regime] and book.licence_availability("heavy", "europe", 2) == pytest.approx(
        0.5
    )
    book.end_controls([regime], 3)
    assert book.licence_availability("heavy", "europe", 3) == 1.0


def test_price_floors_take_the_highest_in_force():
    book = ControlBook()
    book.add(Control("price_floor", "United States", "MP Materials", 0, 12, params={"floor_usd_kg": 110.0}))
    book.add(Control("price_floor", "United States", "MP Materials", 0, 6, params={"floor_usd_kg": 120.0}))
    assert book.price_floor("MP Materials", 3) == 120.0 and book.price_floor("MP Materials", 8) == 110.0
    assert book.price_floor("Lynas Malaysia", 3) == 0.0 and book.price_floors(20) == {}


# ---- alignment, economics, accounts, observers ---------------------------------------------


def test_exports_count_oxide_at_the_prices_realised_and_magnets_outside_southeast_asia():
    prices = {"ndpr_exchina": 100.0, "ndpr_china": 80.0, "dy_exchina": 300.0, "tb_exchina": 900.0}
    plants = {p.name: p for p in (plant(n, "separation", 1.0) for n in ("lynas_malaysia", "jv_refinery"))}
    plants["lynas_heavy"] = plant("lynas_heavy", "heavy", 1.0)
    plants["lynas_heavy"].output_t = 0.5
    lynas = plants["lynas_malaysia"]
    lynas.sold_t, lynas.sold_to_china_t = 12.0, 4.0  # 2 t of it to JS Link at home
    lynas.realised_usd_kg = oxide.realised_price(lynas, prices, floor=0.0)
    assert lynas.realised_usd_kg == pytest.approx((8 * 100 + 4 * 80) / 12)
    lynas.revenue_usd = lynas.sold_t * 1000.0 * lynas.realised_usd_kg
    by_region = np.array([1.0, 2.0, 0.0, 0.0, 5.0, 0.0])  # China, US, ..., Southeast Asia
    revenue = accounts.export_revenue_usd(plants, 2.0, by_region, 120.0, prices, tb_share=0.2)
    heavy = 0.8 * 300 + 0.2 * 900
    assert revenue == pytest.approx(1000.0 * ((8 * 100 + 4 * 80) * 10 / 12 + 0.5 * heavy + 3 * 120))


def test_sales_by_bloc_and_a_years_memory():
    sales = accounts.sales_by_bloc(2.0, 5.0, 0.5, np.array([1.0, 1.0, 0.0, 0.0, 0.0, 0.0]))
    assert sales == {-1.0: 3.0, 0.5: 3.0, 1.0: 1.0, 0.0: 0.0}
    memory = accounts.TradeMemory()
    for _ in range(14):
        total = memory.add({1.0: 1.0})
    assert total[1.0] == pytest.approx(12.0)


def test_observers_shares_reliance_and_mass_balance():
    assert share(1.0, 4.0) == 0.25 and share(5.0, 4.0) == 1.0 and share(1.0, 0.0) == 0.0
    edges = {
        ("magnets", "japan", "buyers", "united_states"): 10.0,
        ("separation", "united_states", "magnets", "united_states"): 1.0,
    }
    reliance = us_import_reliance(edges, CONFIG)
    assert reliance == pytest.approx(1.0 - 1.0 / (10.0 * CONFIG.magnets.ndpr_share))
    chain = build_chain(CONFIG)
    initial_orders(chain, CONFIG, 120_000.0)
    production.mine(chain.plants, conditions(), chain.totals)
    assert mass_balance_error(chain) == pytest.approx(0.0, abs=1e-6)
    chain.totals["mined_reo"] += 1.0
    assert mass_balance_error(chain) == pytest.approx(1.0)


def test_stockpiles_buy_in_slack_markets_and_release_in_tight_ones():
    from magnetdiplomacy.mechanisms import stockpiles

    config = CONFIG.stockpiles
    # China's reserve buys below full cost, up to its yearly budget and its target; releases when dear
    assert stockpiles.china_reserve_order(0.0, 40.0, 45.0, config) == pytest.approx(config.china_reserve_t_yr / 12)
    assert stockpiles.china_reserve_order(config.china_reserve_target_t, 40.0, 45.0, config) == 0.0
    assert stockpiles.china_reserve_order(1200.0, 50.0, 45.0, config) == 0.0
    dear = config.release_price_ratio * 45.0
    assert stockpiles.china_reserve_order(1200.0, dear, 45.0, config) == pytest.approx(-1200.0 / config.release_months)
    # the allied stockpiles fill towards their days of use, release when dear or when China withholds
    target = stockpiles.allied_target_t(300.0, config)
    assert target == pytest.approx(config.allied_target_days / (365.25 / 12) * 300.0)
    assert stockpiles.allied_order(0.0, 300.0, 50.0, 45.0, False, config) == pytest.approx(target / config.fill_months)
    assert stockpiles.allied_order(600.0, 300.0, 50.0, 45.0, True, config) < 0
    # purchases are sales of the pool's sellers; releases feed its makers; holdings leave the market
    seller = plant("other_separation", "separation", 1200.0)
    seller.product_t = 100.0
    maker = plant("japan_magnets", "magnet", 1200.0, country="japan")
    maker.input_used_t = 10.0
    chain = Chain({p.name: p for p in (seller, maker)}, [maker])
    stockpiles.trade(chain, chain.stockpiles, {"allied": 30.0})
    assert seller.product_t == pytest.approx(70.0) and seller.sold_t == pytest.approx(30.0)
    assert chain.stockpiles["allied"].held_t == pytest.approx(30.0)
    stockpiles.trade(chain, chain.stockpiles, {"allied": -10.0})
    assert maker.input_t == pytest.approx(10.0) and chain.stockpiles["allied"].held_t == pytest.approx(20.0)


def test_chinas_dy_and_tb_open_balanced_and_exports_take_what_china_has_left():
    scenario = CONFIG
    chain = build_chain(scenario)
    market = trade.MarketState.start(scenario, chain.magnet_plants)
    heavy.open_china_market(chain, market, need_t=100.0, config=scenario, tick=0)
    assert heavy.china_supply_t(chain, market, scenario, 0) == pytest.approx(100.0)  # balanced first month
    assert sum(market.heavy_stock_t.values()) == pytest.approx(scenario.market.normal_cover_months * 100.0)
    exportable = heavy.china_exportable_t(chain, market, 80.0, scenario, 0)
    assert exportable == pytest.approx(sum(market.heavy_stock_t.values()) + 100.0 - 80.0)
    # a year of the Dy price above its full cost adds clay supply after the lead time
    market.heavy_additions.append((24, 0.1))
    assert heavy.heavy_capacity_factor(market, 23) == 1.0
    assert heavy.heavy_capacity_factor(market, 24 + heavy.HEAVY_RAMP_MONTHS) == pytest.approx(1.1)
