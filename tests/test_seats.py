"""Every role-play seat is a real role: several kinds of decision each quarter, each moving the model
through the seat's own instruments, and a score of its own against the model's play of the seat."""

from __future__ import annotations

import copy
import csv
import io
from html import escape

import pytest

from magnetdiplomacy.classroom import Classroom, Store
from magnetdiplomacy.classroom.export import scores_csv
from magnetdiplomacy.classroom.game import class_scores, debrief
from magnetdiplomacy.classroom.menus import KEEP, SEAT_LABELS, seat_menu
from magnetdiplomacy.classroom.pages.debrief import _debrief_html
from magnetdiplomacy.classroom.pages.results import results_html
from magnetdiplomacy.classroom.seat_targets import SEAT_TARGETS, seat_scorecard
from magnetdiplomacy.classroom.world import World, WorldSpec, template
from magnetdiplomacy.interventions import SEAT_ACTIONS, SEATS, validate_action
from magnetdiplomacy.model import MagnetDiplomacyModel

END = "2030-12"


@pytest.fixture(scope="module")
def start() -> MagnetDiplomacyModel:
    """The class's world in April 2026, every seat played by the model so far (shared: copy it)."""
    return template(WorldSpec().resolved())


def play(start: MagnetDiplomacyModel, seats, actions=(), later=(), until: str = END) -> MagnetDiplomacyModel:
    """A copy of ``start`` with people in ``seats`` (the model skips their rules), ``actions`` fired now
    and ``later`` ones (month, action, params) fired in their month, run to the end of ``until``."""
    model = copy.deepcopy(start)
    for seat in seats:
        setattr(model.config.controllers, seat, "player")
    for name, params in actions:
        model.fire(name, **params)
    stop = model.tick_at(until) + 1
    while model.tick < stop:
        for month, name, params in later:
            if model.tick == model.tick_at(month):
                model.fire(name, **params)
        model.step()
    return model


def year(model: MagnetDiplomacyModel, column: str, first: str = "2030-01", months: int = 12) -> float:
    """A column summed over ``months`` months from ``first``."""
    lo = model.tick_at(first)
    return float(sum(model.datacollector.model_vars[column][lo : lo + months]))


def card(model: MagnetDiplomacyModel, seat: str):
    return seat_scorecard(seat, model.datacollector.model_vars, model.config)


def actionable(seat: str, model: MagnetDiplomacyModel) -> list[str]:
    """The seat's decisions that offer a change now."""
    return [d.key for d in seat_menu(seat, model) if len(d.choices) > 1]


# ---- menus ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("seat", SEATS)
def test_every_seat_has_two_kinds_of_decision_in_typical_quarters(start, seat):
    later = play(start, SEATS, until="2027-03")  # April 2027, every seat held and nothing decided yet
    for model in (start, later):
        keys = actionable(seat, model)
        assert len(keys) >= 2, (seat, model.label_of(model.tick), keys)
        for decision in seat_menu(seat, model):
            assert decision.choices[0].key == KEEP
            for choice in decision.choices[1:]:
                assert choice.action in SEAT_ACTIONS[seat]
                validate_action(choice.action, choice.params)


def test_firm_and_buyer_seats_have_their_new_decisions(start):
    assert actionable("lynas", start) == ["expand", "jslink"]
    assert [c.key for c in seat_menu("lynas", start)[0].choices] == [KEEP, "expand", "abroad"]
    assert actionable("jslink", start) == ["expand", "feed", "technology"]
    assert actionable("buyers", start) == ["security", "esg", "contracts"]
    # one project at a time at each site: after expanding Kuantan, Australia is still open
    model = play(start, ["lynas"], [("lynas_expand", {})], until="2026-06")
    assert [c.key for c in seat_menu("lynas", model)[0].choices] == [KEEP, "abroad"]
    assert "being built" in seat_menu("lynas", model)[0].status


def test_lean_and_levels_are_not_offered_when_they_are_the_current_level(start):
    model = copy.deepcopy(start)
    model.malaysia.lean = 0.004  # the status reads "to neither side"
    lean = next(d for d in seat_menu("malaysia", model) if d.key == "lean")
    assert "to neither side" in lean.status
    assert "lean_none" not in [c.key for c in lean.choices] and len(lean.choices) == 7
    model = play(start, ["malaysia", "united_states", "buyers"], [
        ("malaysia_set_lean", {"lean": 0.0}), ("us_set_tariff", {"target": "Malaysia", "rate": 0.25}),
        ("buyers_esg_premium", {"premium": 0.1}), ("buyers_long_term_contracts", {"share": 0.2}),
    ], until="2026-06")  # fmt: skip
    menus = {d.key: [c.key for c in d.choices] for seat in SEATS for d in seat_menu(seat, model)}
    assert "lean_none" not in menus["lean"] and "lean_us25" in menus["lean"]
    assert "rate_25" not in menus["tariff_malaysia"] and "rate_19" in menus["tariff_malaysia"]
    assert "esg_10" not in menus["esg"] and "contracts_20" not in menus["contracts"]
    assert "level_0" not in menus["security"]  # buyers weigh supply risk x1.00: "on price alone" is current


# ---- each new action moves its own instrument ----------------------------------------------------


def test_lynas_building_in_australia_adds_its_output_not_malaysias(start):
    base = play(start, ["lynas"])
    abroad = play(start, ["lynas"], [("lynas_expand_abroad", {})])
    kuantan = play(start, ["lynas"], [("lynas_expand", {})])
    assert abroad.chain.plants["lynas_relocated"].capacity_t_yr(abroad.tick) == pytest.approx(2_000)
    assert year(abroad, "lynas_ndpr_t") > year(base, "lynas_ndpr_t") + 1_000  # 10,476 -> 11,909 t in 2030
    assert year(kuantan, "lynas_ndpr_t") > year(base, "lynas_ndpr_t") + 1_500  # 12,477 t
    # Malaysia's oxide and jobs grow only when Lynas builds at Kuantan
    assert year(abroad, "malaysia_oxide_t") == pytest.approx(year(base, "malaysia_oxide_t"), rel=0.02)
    assert year(kuantan, "malaysia_oxide_t") > year(base, "malaysia_oxide_t") + 1_500
    assert (
        abroad.datacollector.model_vars["malaysia_direct_jobs"][-1]
        < kuantan.datacollector.model_vars["malaysia_direct_jobs"][-1]
    )
    # paid at once: US$250 m abroad against US$150 m at Kuantan
    first = play(start, ["lynas"], [("lynas_expand_abroad", {})], until="2026-04")
    same = play(start, ["lynas"], until="2026-04")
    assert same.lynas.cash_usd_m - first.lynas.cash_usd_m == pytest.approx(250)


def test_the_feedstock_contract_needs_both_sides_and_shields_jslink_from_chinas_licences(start):
    restrict = [("2027-01", "china_restrict_malaysia", {"grant_rate": 0.1})]
    seats = ["lynas", "jslink", "china"]
    tied = play(start, seats, later=restrict)
    market = play(start, seats, [("jslink_buy_from_lynas", {"on": False})], later=restrict)
    assert tied.partnerships.has("Lynas", "JS Link", "supply")
    assert not market.partnerships.has("Lynas", "JS Link", "supply")
    # with China's licences to Malaysia cut to 10%, Dy/Tb from Lynas keeps JS Link running
    assert year(tied, "jslink_magnet_t") > 2_500 and year(market, "jslink_magnet_t") < 1_500  # 3,000 t vs 927 t
    # the model's Lynas does not sign again while JS Link buys on the market; JS Link's "on" restores it
    alone = play(start, ["jslink"], [("jslink_buy_from_lynas", {"on": False})], until="2026-12")
    assert not alone.partnerships.has("Lynas", "JS Link", "supply")
    back = copy.deepcopy(alone)
    back.fire("jslink_buy_from_lynas", on=True)
    back.step()
    assert back.partnerships.has("Lynas", "JS Link", "supply")
    # Lynas ending it ends it; JS Link alone cannot restore it
    both = [("lynas_supply_jslink", {"on": False}), ("jslink_buy_from_lynas", {"on": True})]
    ended = play(start, ["lynas", "jslink"], both, until="2026-06")
    assert not ended.partnerships.has("Lynas", "JS Link", "supply")


def test_jslink_asks_korea_for_finance_and_malaysia_decides(start):
    model = play(start, ["jslink", "malaysia"], [("jslink_seek_finance", {})], until="2026-04")
    assert model.offers.has_open("korea_partnership")
    keys = [c.key for c in seat_menu("jslink", model)[0].choices]
    assert "ask_korea" not in keys  # the offer waits for Malaysia's answer
    model.fire("malaysia_accept_offer", offer="korea_partnership")
    model.step()
    assert model.jslink.financed
    assert "expand" in [c.key for c in seat_menu("jslink", model)[0].choices]


def test_jslink_licensing_know_how_cuts_cost_raises_know_how_and_pays_a_royalty(start):
    base = play(start, ["jslink"])
    licensed = play(start, ["jslink"], [("jslink_license_technology", {})])
    plant = "jslink_magnets"
    assert licensed.chain.plants[plant].cost_factor == pytest.approx(0.9 * base.chain.plants[plant].cost_factor)
    assert licensed.partnerships.has("Japanese magnet makers", "JS Link", "technology")
    know_how = "malaysia_capability"
    assert licensed.datacollector.model_vars[know_how][-1] > base.datacollector.model_vars[know_how][-1] + 0.03
    # at full capacity the cheaper, royalty-paying plant earns less cash (prices follow cost)
    assert licensed.jslink.cash_usd_m < base.jslink.cash_usd_m - 20


def test_buyers_premium_and_contracts_move_orders_away_from_china(start):
    base = play(start, ["buyers"])
    premium = play(start, ["buyers"], [("buyers_esg_premium", {"premium": 0.2})])
    contracts = play(start, ["buyers"], [("buyers_long_term_contracts", {"share": 0.3})])
    assert premium.buyer_population.esg_premium == 0.2 and contracts.buyer_population.contract_share == 0.3
    price = "price_magnet_exchina_usd_kg"
    assert year(premium, price) > year(base, price) * 1.05  # audited supply is paid for
    assert year(premium, "jslink_magnet_t") >= year(base, "jslink_magnet_t")
    share = "china_magnet_share"
    assert year(contracts, share) < year(base, share) - 0.06  # 12 monthly shares: half a point lower on average
    assert year(contracts, "nonchina_magnet_t") > year(base, "nonchina_magnet_t") + 1_500  # 51,193 -> 53,198 t
    assert year(contracts, price) > year(base, price)


# ---- each seat's score answers its own objectives ------------------------------------------------


def test_seat_scores_respond_to_the_seats_own_objectives(start):
    lynas = {name: card(play(start, ["lynas"], acts), "lynas") for name, acts in
             (("passive", []), ("expand", [("lynas_expand", {})]))}  # fmt: skip
    assert lynas["expand"].get("output").points > lynas["passive"].get("output").points
    assert lynas["expand"].total > lynas["passive"].total
    buyers = {name: card(play(start, ["buyers"], acts), "buyers") for name, acts in
              (("passive", []), ("contracts", [("buyers_long_term_contracts", {"share": 0.3})]))}  # fmt: skip
    assert buyers["contracts"].get("china").points > buyers["passive"].get("china").points  # less dependence
    assert buyers["contracts"].get("price").points < buyers["passive"].get("price").points  # at a price
    jslink = {name: card(play(start, ["jslink"], acts), "jslink") for name, acts in
              (("passive", []), ("licence", [("jslink_license_technology", {})]))}  # fmt: skip
    assert jslink["licence"].get("know_how").points > jslink["passive"].get("know_how").points
    assert jslink["licence"].get("cash").points < jslink["passive"].get("cash").points
    us = {name: card(play(start, ["united_states"], acts), "united_states") for name, acts in
          (("passive", []), ("offtake", [("us_offer_offtake", {})]))}  # fmt: skip
    assert us["offtake"].get("ally").points > us["passive"].get("ally").points  # Malaysia accepts: a tie
    china = {name: card(play(start, ["china"], acts), "china") for name, acts in
             (("passive", []), ("escalate", [("china_escalate", {})]))}  # fmt: skip
    assert china["escalate"].get("separation").points < china["passive"].get("separation").points
    for seat, targets in SEAT_TARGETS.items():
        assert sum(t.points for t in targets) == 100, seat


# ---- a six-seat class: each seat its own score ---------------------------------------------------


def test_class_scores_and_debriefs_give_each_seat_its_own_score(tmp_path):
    room = Classroom(Store(tmp_path / "classroom.sqlite"), timers=False)
    try:
        class_id, code, key = room.create_class("Six seats", "roleplay", end="2026-09")
        names = {"malaysia": "Ana", "united_states": "Ben", "china": "Chi", "lynas": "Lyn", "jslink": "Jo",
                 "buyers": "Bo"}  # fmt: skip
        tokens = {}
        for seat, name in names.items():
            tokens[seat] = room.join(code, name)
            room.claim_seat(tokens[seat], seat)
        room.start(class_id, key)
        room.choose(tokens["lynas"], "expand", "abroad")
        room.choose(tokens["buyers"], "contracts", "contracts_30")
        room.advance(class_id, key)
        room.advance(class_id, key)
        session = room.teacher(class_id, key)
        rows = class_scores(session)
        by_seat = {r["seat"]: r for r in rows[: len(names)]}
        assert set(by_seat) == {SEAT_LABELS[s] for s in names}
        assert len({r["total"] for r in by_seat.values()}) == len(names)  # six seats, six different scores
        assert len({tuple(r) for r in rows}) == 1  # every row has the same columns (one CSV)
        lynas = by_seat["Lynas"]
        assert lynas["participant"] == "Lyn" and lynas["lynas_output_points"] is not None
        assert lynas["share_points"] is None  # Lynas is not scored on Malaysia's targets
        assert by_seat["Malaysia"]["share_points"] is not None and by_seat["Malaysia"]["lynas_output_points"] is None
        assert rows[-2]["participant"] == "The class's Malaysia (shared world)"
        assert rows[-1]["seat"] == "model" and rows[-1]["total"] == by_seat["Malaysia"]["model_total"]
        csv_rows = list(csv.DictReader(io.StringIO(scores_csv(session).decode())))
        assert [r["seat"] for r in csv_rows] == [r["seat"] for r in rows]
        page = results_html(rows)
        assert "Operating margin on NdPr" in page and "Magnet price outside China" in page
        for seat in ("lynas", "buyers", "united_states"):
            session_, member = room.member(tokens[seat])
            brief = debrief(session_, member)
            assert brief.seat_card is not None and brief.seat_card.seat == seat
            own = by_seat[SEAT_LABELS[seat]]
            assert brief.seat_card.player.total == pytest.approx(own["total"], abs=0.05)
            assert brief.seat_card.model.total == pytest.approx(own["model_total"], abs=0.05)
            html = _debrief_html(session_, brief, "The class")
            assert f"{escape(SEAT_LABELS[seat])}: your objectives" in html and "cr-seat-scores" in html
            assert all(f"data-key='{t.key}'" in html for t in SEAT_TARGETS[seat])
            assert html.index("cr-seat-scores") < html.index("cr-scores")  # its own score first, Malaysia's after
        session_, member = room.member(tokens["malaysia"])
        assert debrief(session_, member).seat_card is None  # Malaysia is scored on the national targets
    finally:
        room.close()


def test_a_worlds_seat_score_uses_its_window(start):
    world = World(WorldSpec().resolved(), copy.deepcopy(start))
    world.advance([], SEATS)
    short = seat_scorecard("lynas", world.series(), world.model.config)
    assert short.window == "Jul 2025 – Jun 2026" and 0 <= short.total <= 100
    assert short.get("licence").shown.endswith("years")
