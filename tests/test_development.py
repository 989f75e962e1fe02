"""Malaysia's scorecard beyond the chain: each target responds to the lever that should move it.

Rules are tested alone (numbers in, numbers out); levers are tested on the model, two arms with
the same seed that differ only in the lever (common random numbers), the Malaysian seat held by a
person where Malaysia's own choices would otherwise differ between the arms.
"""

from __future__ import annotations

import functools
import json

import numpy as np
import pandas as pd
import pytest

from magnetdiplomacy import load_scenario
from magnetdiplomacy.mechanisms.development import (
    best_enforcement,
    china_know_how_left,
    customer_spread,
    evasion,
    installed_t_yr,
    leak,
    local_content_next,
    patents_index,
    sanction_hazard,
    site_margin_usd_kg,
)
from magnetdiplomacy.mechanisms.economics import RungOutput
from magnetdiplomacy.mechanisms.valuation import investment_usd, yearly_export_usd
from magnetdiplomacy.model import MagnetDiplomacyModel
from magnetdiplomacy.scenario import build_scenario
from magnetdiplomacy.targets import TARGETS, scorecard

# ---- rules alone ---------------------------------------------------------------------------


def test_local_content_follows_know_how_up_and_down():
    up = local_content_next(0.3, 0.2, 0.1, 0.3, 2.0, 4.0)
    assert 0.3 < up < 0.5  # a month's step towards 0.3 + 2 x 0.1
    down = local_content_next(0.4, 0.1, 0.1, 0.3, 2.0, 4.0)
    assert 0.3 < down < 0.4
    assert local_content_next(0.3, 0.1, 0.1, 0.3, 2.0, 4.0) == pytest.approx(0.3)


def test_patents_rise_with_know_how():
    assert patents_index(0.1, 0.1, 1.0) == pytest.approx(1.0)
    assert patents_index(0.15, 0.1, 1.0) == pytest.approx(1.5)
    assert patents_index(0.15, 0.1, 2.0) > patents_index(0.15, 0.1, 1.0)


def test_know_how_from_china_decays_only_while_the_ban_binds():
    assert china_know_how_left(0.1, 0.25, binding=False) == 0.1
    left = china_know_how_left(0.1, 0.25, binding=True)
    assert left < 0.1
    assert left**12 / 0.1**12 == pytest.approx(0.75, rel=1e-9) or left == pytest.approx(0.1 * 0.75 ** (1 / 12))


def test_more_policing_less_ore_leaving():
    assert evasion(10, 10, 15) == pytest.approx(1.0)
    assert evasion(25, 10, 15) == pytest.approx(0.5)
    assert evasion(0, 10, 15) > 1.0
    weak, strong = leak(0, True, 16_000, 0.3, 10, 15), leak(40, True, 16_000, 0.3, 10, 15)
    assert weak.illegal_t > strong.illegal_t and weak.legal_share > strong.legal_share
    assert leak(0, False, 16_000, 0.3, 10, 15).legal_share == 0.0  # without the ban licensed ore leaves legally


def test_malaysia_polices_harder_when_the_ore_is_worth_more():
    cheap_spend, cheap_left = best_enforcement(16_000, 600, 0.3, True, 1_000, 10, 15)
    dear_spend, dear_left = best_enforcement(16_000, 600, 0.3, True, 10_000, 10, 15)
    assert dear_spend > cheap_spend and dear_left < cheap_left
    assert best_enforcement(0, 0, 0.3, True, 10_000, 10, 15)[0] == 0.0  # nothing to police, nothing spent


def test_customer_spread_is_the_smallest_continent_share():
    assert customer_spread({"china": 100.0}) == 0.0
    assert customer_spread({"united_states": 1.0, "europe": 1.0, "japan_korea": 1.0}) == pytest.approx(1 / 3)
    assert customer_spread({"united_states": 1.0, "europe": 1.0, "china": 2.0}) == pytest.approx(0.25)
    assert customer_spread({}) == 0.0


def test_investors_price_in_a_sanction_near_either_threshold():
    assert sanction_hazard(0.15, 0.5, -0.2, 0.3, False, False) == 0.0
    assert sanction_hazard(0.45, 0.5, -0.2, 0.3, False, False) == pytest.approx(1 - 0.05 / 0.3)
    assert sanction_hazard(-0.15, 0.5, -0.2, 0.3, False, False) == pytest.approx(1 - 0.05 / 0.3)
    assert sanction_hazard(0.0, 0.5, -0.2, 0.3, True, False) == 1.0
    base = site_margin_usd_kg(100, 60, 0.2, 0.0, 0.0, 0.3)
    assert site_margin_usd_kg(100, 60, 0.2, 0.19, 0.0, 0.3) < base
    assert site_margin_usd_kg(100, 60, 0.2, 0.0, 0.5, 0.3) < base
    assert site_margin_usd_kg(100, 55, 0.2, 0.0, 0.0, 0.3) > base  # an incentive's cost cut


def test_investment_is_counted_once_built():
    additions = [(24, 1_000.0, 12.0)]
    assert installed_t_yr(3_000, 12, additions, 0) == 0.0
    assert installed_t_yr(3_000, 12, additions, 12) == 3_000
    assert installed_t_yr(3_000, 12, additions, 30) == 4_000


def test_an_offer_counts_for_exports_and_investment():
    from magnetdiplomacy.mechanisms.valuation import Prices

    out = RungOutput(oxide_t=100.0, magnet_t=50.0, magnet_ndpr_t=20.0)
    prices = Prices(ore=3, oxide=60, magnet=100, component=300, coproduct=2)
    assert yearly_export_usd(out, prices) == pytest.approx(12_000 * (80 * 60 + 50 * 100))
    assert investment_usd(out, 75_000, 50_000) == pytest.approx(12 * (100 * 75_000 + 50 * 50_000))


# ---- levers on the model -----------------------------------------------------------------------


@functools.cache
def _arm(key: str) -> pd.DataFrame:
    spec = json.loads(key)
    tree = load_scenario("baseline", spec["overrides"] or None).model_dump()
    tree["name"] = "probe"
    tree["run"]["end"] = spec["end"]
    tree["buyers"]["count"] = 200
    tree["controllers"]["malaysia"] = "player" if spec["player"] else "agent"
    tree["interventions"] = [{"date": d, "action": a, "params": p} for d, a, p in spec["actions"]]
    model = MagnetDiplomacyModel(build_scenario(tree, "test"))
    hooks: dict[int, list] = {}
    for tick, call in spec["hooks"]:
        hooks.setdefault(tick, []).append(call)
    while model.running:
        for call in hooks.get(model.tick, []):
            getattr(model, call[0])(*call[1:])
        model.step()
    return model.datacollector.get_model_vars_dataframe()


def arm(*actions, overrides=None, end="2032-12", player=True, hooks=()) -> pd.DataFrame:
    """A run of the baseline (Malaysia played by a person unless ``player`` is False) with dated
    actions, parameter overrides and calls on the model at given ticks ((tick, [method, args...]))."""
    key = {"actions": actions, "overrides": overrides or {}, "end": end, "player": player, "hooks": list(hooks)}
    return _arm(json.dumps(key, sort_keys=True))


def during(frame: pd.DataFrame, column: str, start: str, end: str) -> float:
    dates = pd.to_datetime(frame["date"])
    return float(frame.loc[(dates >= start) & (dates <= end), column].mean())


def test_a_technology_tie_raises_local_know_how_and_local_content():
    tick = 84  # 2027-01
    plain = arm()
    tied = arm(hooks=[(tick, ["form_tie", "Korea", "JS Link", "technology"])])
    for column in ("malaysia_capability", "malaysia_local_content", "malaysia_patents_index"):
        assert during(tied, column, "2031-01", "2032-12") > during(plain, column, "2031-01", "2032-12"), column


def test_a_binding_chinese_technology_ban_lowers_know_how():
    # Both arms take the Chinese joint venture in 2027; one without China's technology-export bans.
    jv = [(84, ["act", "malaysia_accept_offer", {"offer": "china_jv"}])]
    banned = arm(hooks=jv)
    free = arm(hooks=jv, overrides={"replay__exclude": ["E026", "E050"]})
    assert during(banned, "malaysia_capability", "2030-01", "2032-12") < during(
        free, "malaysia_capability", "2030-01", "2032-12"
    )
    assert during(banned, "malaysia_local_content", "2031-01", "2032-12") < during(
        free, "malaysia_local_content", "2031-01", "2032-12"
    )


def test_rcep_tariffs_move_malaysian_sales_to_japan_and_korea():
    zero = arm(overrides={"development__trade_terms__rcep_magnet_tariff": 0.0})
    taxed = arm(overrides={"development__trade_terms__rcep_magnet_tariff": 0.15})
    column = "malaysia_magnet_sales_japan_korea_t"
    assert during(zero, column, "2028-01", "2032-12") > 1.1 * during(taxed, column, "2028-01", "2032-12")


def test_an_esg_premium_raises_malaysias_share_with_the_buyers_who_pay_it():
    none = arm(overrides={"development__trade_terms__esg_premium": 0.0})
    paid = arm(overrides={"development__trade_terms__esg_premium": 0.2})
    column = "malaysia_share_esg_buyers"
    assert during(paid, column, "2028-01", "2032-12") > 1.1 * during(none, column, "2028-01", "2032-12")


def test_weaker_policing_more_ore_leaves_and_less_is_refined_at_home():
    # Licensed Malaysian ore goes to Lynas under a state supply tie (E-replay), and the ban holds.
    strong = arm(("2027-01", "malaysia_ore_policing", {"usd_m_yr": 60.0}))
    weak = arm(("2027-01", "malaysia_ore_policing", {"usd_m_yr": 0.0}))
    assert during(weak, "malaysia_ore_leaked_t", "2027-01", "2032-12") > during(
        strong, "malaysia_ore_leaked_t", "2027-01", "2032-12"
    )
    assert during(weak, "malaysia_domestic_ore_feed_t", "2027-01", "2032-12") < during(
        strong, "malaysia_domestic_ore_feed_t", "2027-01", "2032-12"
    )
    assert during(weak, "malaysia_enforcement_usd", "2028-01", "2028-12") == 0.0


def test_a_magnet_incentive_draws_foreign_makers_and_their_investment():
    plain = arm(player=True)
    generous = arm(("2026-06", "malaysia_magnet_incentive", {"level": 1.0}), player=True)
    assert generous["foreign_makers_malaysia_t"].sum() > plain["foreign_makers_malaysia_t"].sum()
    first_built = [
        frame.loc[frame["foreign_makers_malaysia_t"] > 0, "tick"].min() for frame in (generous, plain)
    ]  # the incentive brings the multinationals' first plant forward
    assert first_built[0] < first_built[1]
    column = "malaysia_downstream_investment_total_usd"
    assert during(generous, column, "2031-12", "2031-12") > during(plain, column, "2031-12", "2031-12")


def test_the_scorecard_reads_every_target_from_a_run():
    frame = arm(end="2030-12")
    card = scorecard(frame, 2030)
    assert list(card["key"]) == [t.key for t in TARGETS]
    assert card["value"].map(np.isfinite).all()
    scored = card[card["goal"].notna()]
    assert scored["met"].isin([True, False]).all()
    assert card[card["goal"].isna()]["met"].isna().all()
