"""Each mechanism alone: numbers in, numbers out."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from magnetdiplomacy.mechanisms import alignment, economics, market, pricing
from magnetdiplomacy.mechanisms.chain import Parcel, Plant, make_magnets, ndpr_per_magnet, ramp_factor, separate
from magnetdiplomacy.mechanisms.controls import Control, ControlBook
from magnetdiplomacy.mechanisms.partnerships import PartnershipGraph

# ---- chain ----------------------------------------------------------------------------------


def test_parcel_take_keeps_grade_and_mass():
    ore = Parcel(100.0, 20.0)
    taken = ore.take(30.0)
    assert taken.reo_t == 30.0 and taken.grade == pytest.approx(0.2)
    assert ore.reo_t + taken.reo_t == pytest.approx(100.0)
    assert ore.take(1e9).reo_t == pytest.approx(70.0) and ore.reo_t == 0.0


def test_separation_conserves_mass():
    result = separate(Parcel(1000.0, 300.0), recovery=0.95)
    assert result.ndpr_t == pytest.approx(285.0)
    assert result.ndpr_t + result.coproduct_t + result.loss_t == pytest.approx(1000.0)


def test_magnet_making_conserves_ndpr():
    result = make_magnets(100.0, ndpr_share=0.33, finishing_yield=0.75, scrap_recovery=0.9)
    assert result.ndpr_in_magnets_t + result.scrap_recovered_t + result.scrap_lost_t == pytest.approx(100.0)
    assert result.magnet_t == pytest.approx(100.0 * 0.75 / 0.33)
    # recycling scrap lowers the net NdPr a tonne of magnet needs
    assert 0.33 < ndpr_per_magnet(0.33, 0.75, 0.9) < 0.33 / 0.75


def test_plant_capacity_ramps_and_adds():
    plant = Plant("p", "o", "c", "magnet", "exchina", 1200.0, start=10, ramp_months=4, additions=[(20, 600.0, 2.0)])
    assert plant.capacity_t(9) == 0
    assert plant.capacity_t(10) == pytest.approx(25.0)
    assert plant.capacity_t(13) == pytest.approx(100.0)
    assert plant.capacity_t(21) == pytest.approx(150.0)
    assert ramp_factor(5, 0, 0) == 1.0
    plant.closed_from = 30
    assert plant.capacity_t(30) == 0.0


# ---- market ---------------------------------------------------------------------------------


def test_two_pools_licence_caps_chinese_exports():
    free = market.clear_two_pools(100, 60, 10, 50, export_availability=1.0)
    capped = market.clear_two_pools(100, 60, 10, 50, export_availability=0.25)
    assert free.china_to_exchina_t == pytest.approx(40) and free.fill_exchina == pytest.approx(1.0)
    assert capped.china_to_exchina_t == pytest.approx(10) and capped.export_constrained
    assert capped.fill_exchina == pytest.approx(20 / 50)
    reverse = market.clear_two_pools(50, 60, 30, 10, export_availability=0.0)
    assert reverse.exchina_to_china_t == pytest.approx(10) and not reverse.export_constrained


RULE = pricing.StorageRule(normal_cover_months=2.0, working_cover_months=0.25, exponent=2.0, adjustment=0.5)
CURVE = [pricing.CostPoint(100.0, 30.0, 45.0), pricing.CostPoint(50.0, 33.0, 48.0), pricing.CostPoint(20.0, 60.0, 75.0)]


def test_the_marginal_producer_meets_the_last_tonne_of_use():
    assert pricing.marginal_producer(CURVE, 90.0).cash_usd_kg == 30.0
    assert pricing.marginal_producer(CURVE, 120.0).cash_usd_kg == 33.0
    assert pricing.marginal_producer(CURVE, 160.0).cash_usd_kg == 60.0
    assert pricing.marginal_producer(CURVE, 1e6).cash_usd_kg == 60.0  # all of them fall short
    idle = [pricing.CostPoint(0.0, 1.0, 2.0), pricing.CostPoint(0.0, 5.0, 9.0)]
    assert pricing.marginal_producer(idle, 1.0).cash_usd_kg == 5.0  # none running: the dearest must return
    with pytest.raises(ValueError):
        pricing.marginal_producer([], 1.0)


def test_storage_price_is_full_cost_at_normal_stocks_cash_cost_in_a_glut_and_scarcity_when_stocks_run_out():
    marginal = CURVE[1]
    assert pricing.target_price(200.0, 100.0, marginal, RULE) == pytest.approx(48.0)  # 2 months: full cost
    assert pricing.target_price(1e9, 100.0, marginal, RULE) == pytest.approx(33.0, abs=1e-6)  # glut: cash cost
    scarce = pricing.target_price(0.0, 100.0, marginal, RULE)
    assert scarce == pytest.approx(pricing.scarcity_price(marginal, RULE)) == pytest.approx(33 + 15 * 64)
    covers = [0.1, 0.5, 1.0, 2.0, 4.0, 8.0]
    prices = [pricing.target_price(c * 100.0, 100.0, marginal, RULE) for c in covers]
    assert prices == sorted(prices, reverse=True)  # the fewer the stocks, the higher the price


@given(
    stock=st.floats(0.0, 1e6),
    use=st.floats(1e-3, 1e5),
    cash=st.floats(1.0, 200.0),
    capital=st.floats(0.0, 200.0),
    normal=st.floats(1.0, 6.0),
    working=st.floats(0.1, 1.0),
    exponent=st.floats(0.5, 4.0),
)
def test_storage_price_stays_between_cash_cost_and_the_scarcity_price(
    stock, use, cash, capital, normal, working, exponent
):
    rule = pricing.StorageRule(normal, working, exponent, 0.5)
    point = pricing.CostPoint(1.0, cash, cash + capital)
    price = pricing.target_price(stock, use, point, rule)
    assert cash - 1e-9 <= price <= pricing.scarcity_price(point, rule) + 1e-9


def test_quotes_move_part_of_the_way_and_use_is_smoothed():
    assert pricing.adjust(50.0, 100.0, RULE) == pytest.approx(75.0)
    assert pricing.smoothed(None, 10.0, 3.0) == 10.0
    assert pricing.smoothed(10.0, 40.0, 3.0) == pytest.approx(20.0)


def test_utilisation_follows_the_margin_over_cash_cost():
    assert pricing.utilisation_target(50.0, 30.0, 45.0, 0.3) == 1.0
    assert pricing.utilisation_target(37.5, 30.0, 45.0, 0.3) == pytest.approx(0.65)
    assert pricing.utilisation_target(20.0, 30.0, 45.0, 0.3) == 0.3


def test_logit_targets_prefer_cheap_allowed_suppliers():
    cost = np.array([[100.0, 110.0, 90.0]])
    allowed = np.array([[True, True, False]])
    targets = market.logit_targets(cost, allowed, sensitivity=8.0)
    assert targets[0, 2] == 0 and targets[0, 0] > targets[0, 1] > 0
    assert targets.sum() == pytest.approx(1.0)


def test_move_shares_respects_qualification_cap():
    shares = np.array([[1.0, 0.0]])
    moved = market.move_shares(shares, np.array([[0.0, 1.0]]), np.array([True]), max_up=0.1, max_down=0.2)
    assert moved[0, 1] == pytest.approx(0.1 / 0.9, rel=0.2)
    assert moved.sum() == pytest.approx(1.0)
    still = market.move_shares(shares, np.array([[0.0, 1.0]]), np.array([False]), 0.1, 0.2)
    assert (still == shares).all()


def test_allocation_rations_and_spills_over():
    orders = np.array([[10.0, 0.0], [10.0, 0.0]])
    reachable = np.ones((2, 2))
    alloc = market.allocate_orders(
        orders, reachable, np.array([10.0, 20.0]), spill_weights=np.array([[0.5, 0.5], [0.5, 0.5]])
    )
    assert alloc.sold[0] == pytest.approx(10.0)
    assert alloc.delivered.sum() == pytest.approx(20.0)  # the shortfall was bought from supplier 2
    blocked = market.allocate_orders(orders, np.array([[0.0, 1.0], [1.0, 1.0]]), np.array([10.0, 0.0]), np.ones((2, 2)))
    assert blocked.delivered[0].sum() == 0.0 and blocked.delivered[1, 0] == pytest.approx(10.0)


# ---- controls -------------------------------------------------------------------------------


def test_licensing_grant_ramps_after_delay_and_covers_flows():
    book = ControlBook()
    book.add(
        Control(
            "export_licensing",
            "China",
            "World",
            10,
            params={
                "elements": ["Dy", "Tb"],
                "products": ["oxides", "magnets"],
                "grant_rate": 0.6,
                "delay_months": 2,
                "destinations": {"united_states": 0.9},
            },
        )
    )
    assert book.licence_availability("heavy", "japan_korea", 9) == 1.0
    assert book.licence_availability("heavy", "japan_korea", 10) == 0.0
    assert book.licence_availability("heavy", "japan_korea", 11) == pytest.approx(0.3)
    assert book.licence_availability("heavy", "united_states", 12) == pytest.approx(0.9)
    assert book.licence_availability("ndpr", "japan_korea", 12) == 1.0  # NdPr not covered
    assert book.licence_availability("magnet_heavy", "japan_korea", 12) == pytest.approx(0.6)
    assert book.licence_availability("magnet_light", "japan_korea", 12) == 1.0


def test_suspension_and_end():
    book = ControlBook()
    book.add(Control("extraterritorial", "China", "World", 0, params={"announcement": "61", "grant_rate": 0.5}))
    assert book.licence_availability("ndpr", "europe", 5) == 0.5
    book.suspend({"61"}, until=20, tick=6)
    assert book.licence_availability("ndpr", "europe", 10) == 1.0
    assert book.licence_availability("ndpr", "europe", 20) == 0.5
    book.end("extraterritorial", 25)
    assert book.licence_availability("ndpr", "europe", 30) == 1.0


def test_tariffs_floors_bans_and_plant_licences():
    book = ControlBook()
    book.add(Control("tariff", "United States", "Malaysia", 0, params={"rate": 0.1}))
    book.add(Control("tariff", "United States", "Malaysia", 5, params={"rate": 0.19}))
    assert book.tariff("United States", "Malaysia", 4) == 0.1 and book.tariff("United States", "Malaysia", 5) == 0.19
    assert book.tariff("United States", "China", 5) == 0.0
    book.add(Control("price_floor", "United States", "MP Materials", 3, 15, params={"floor_usd_kg": 110}))
    assert book.price_floor("MP Materials", 10) == 110 and book.price_floor("MP Materials", 15) == 0.0
    book.add(Control("raw_ore_ban", "Malaysia", "ore", 4))
    assert not book.raw_ore_ban(3) and book.raw_ore_ban(4)
    book.add(Control("plant_licence", "Malaysia", "Lynas Malaysia", 0, 36, params={"cracking_allowed_until": 12}))
    state = book.plant_licence("Lynas Malaysia", 12)
    assert state.valid and not state.cracking_allowed and state.years_left == pytest.approx(2.0)
    assert not book.plant_licence("Lynas Malaysia", 36).valid


# ---- partnerships and alignment -------------------------------------------------------------


def test_partnership_graph_forms_breaks_and_tilts():
    graph = PartnershipGraph()
    assert graph.form("United States", "Malaysia", "mou", 1)
    assert not graph.form("United States", "Malaysia", "mou", 2)
    graph.form("China", "Malaysia", "investment", 3)
    graph.form("United States", "MP Materials", "investment", 3)  # no Malaysian end: no tilt
    assert graph.count() == 3
    assert sum(graph.malaysia_tilts().values()) == pytest.approx(0.3 - 0.3)
    assert graph.dissolve("China", "Malaysia", "investment", 4)
    assert sum(graph.malaysia_tilts().values()) > 0
    with pytest.raises(ValueError):
        graph.form("Atlantis", "Malaysia", "mou", 5)


def test_revealed_alignment_is_bounded_and_smoothed():
    assert -1 < alignment.revealed_alignment(50, 50, 50, 1, 1, 1) <= 1
    assert alignment.update_alignment(0.0, 1.0, 0.1) == pytest.approx(0.1)
    tilt = alignment.trade_tilt({-1.0: 10.0, 1.0: 30.0}, 0.1, 0.1)
    assert tilt == pytest.approx(0.5 * 0.5)


# ---- economics ------------------------------------------------------------------------------


def test_value_ladder_and_jobs():
    assert economics.ladder_value((80, 150), 0.5) == 115
    out = economics.RungOutput(magnet_t=100.0, magnet_ndpr_t=33.0, component_t=10.0)
    value = economics.value_added_usd(out, 3, 22.5, 115, 350, 1.5)
    assert value == pytest.approx(1000 * (100 * 115 - 33 * 22.5 + 10 * (350 - 115)))
    direct = economics.direct_jobs(out, 17.5, (1, 3, 8, 12))
    assert direct == pytest.approx(17.5 * (8 * 100 + 12 * 10) * 12 / 1000)
    assert economics.total_jobs(direct, 3.2) == pytest.approx(direct * 4.2)
    assert math.isclose(economics.value_added_usd(economics.RungOutput(), 1, 1, 1, 1, 1), 0.0)
