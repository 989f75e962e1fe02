"""Every control, partnership type and named scenario moves the outputs the way a domain expert expects.

Each test compares a run with the mechanism against the same scenario and seed without it, over a
window long enough for the effect to work through the chain.
"""

from __future__ import annotations

import functools
import json

import pytest

from conftest import cached_run, window
from magnetdiplomacy import load_scenario, run
from magnetdiplomacy.agents.firms import lynas_may_expand


def mean(result, column, start="2027-01-01", end="2032-12-01"):
    return window(result.model_df, start, end)[column].mean()


def with_actions(*actions, name="probe", **overrides):
    """The baseline plus dated interventions [(date, action, params)] and parameter overrides.

    Runs are cached per session (keyed by the arguments as JSON), so an arm several tests share,
    such as the plain probe, is simulated once.
    """
    return _with_actions(json.dumps({"actions": actions, "name": name, "overrides": overrides}, sort_keys=True))


@functools.cache
def _with_actions(key: str):
    spec = json.loads(key)
    base = load_scenario("baseline", spec["overrides"] or None).model_dump()
    base["name"] = spec["name"]
    base["interventions"] = [{"date": d, "action": a, "params": p} for d, a, p in spec["actions"]]
    return run(load_scenario(base_tree_scenario(base)))


def base_tree_scenario(tree):
    from magnetdiplomacy.scenario import build_scenario

    return build_scenario(tree, "test")


# ---- controls ---------------------------------------------------------------------------------


# China's own rule could call a truce that lifts a suspension; these comparisons hold China's
# discretionary moves still in both arms so that only the licensing differs.
STILL_CHINA = {"china__escalation_propensity": 0.0, "china__relations_recovery": 0.0}


@pytest.fixture(scope="module")
def licences_suspended():
    return with_actions(("2026-06", "china_suspend_magnet_licences", {}), **STILL_CHINA)


@pytest.fixture(scope="module")
def no_suspension():
    return with_actions(**STILL_CHINA)


def test_tighter_licensing_raises_exchina_prices(no_suspension, licences_suspended):
    baseline = no_suspension
    assert mean(licences_suspended, "china_export_licence_rate") < 0.05 < mean(baseline, "china_export_licence_rate")
    assert mean(licences_suspended, "price_magnet_exchina_usd_kg") > 1.05 * mean(
        baseline, "price_magnet_exchina_usd_kg"
    )
    assert mean(licences_suspended, "price_dy_exchina_usd_kg") > mean(baseline, "price_dy_exchina_usd_kg")
    premium = lambda r: mean(r, "price_ndpr_exchina_usd_kg") / mean(r, "price_ndpr_china_usd_kg")  # noqa: E731
    assert premium(licences_suspended) > premium(baseline) + 0.05


def test_tighter_licensing_raises_malaysia_nonchina_magnet_share(no_suspension, licences_suspended):
    baseline = no_suspension
    assert mean(licences_suspended, "malaysia_magnet_share_nonchina", "2028-01-01") > mean(
        baseline, "malaysia_magnet_share_nonchina", "2028-01-01"
    )


def test_tighter_licensing_cuts_chinas_magnet_output_and_causes_shortage(no_suspension, licences_suspended):
    baseline = no_suspension
    assert mean(licences_suspended, "china_magnet_t") < mean(baseline, "china_magnet_t")
    assert mean(licences_suspended, "magnet_shortage_t") > mean(baseline, "magnet_shortage_t") + 100


def test_no_lynas_licence_drives_malaysian_oxide_share_to_zero(baseline):
    lapsed = cached_run("lynas_no_renewal")
    # Lynas Malaysia is the only Malaysian separator until a joint-venture refinery could open
    # (china.jv_build_months, 30, after an offer accepted in 2026 at the earliest)
    after = window(lapsed.model_df, "2026-04-01", "2028-06-01")
    assert after["malaysia_oxide_share_global"].max() < 0.005
    assert mean(baseline, "malaysia_oxide_share_global") > 0.05
    assert mean(lapsed, "malaysia_jobs") < 0.5 * mean(baseline, "malaysia_jobs")
    # Lynas rebuilds abroad after the relocation lead time (C151, 5 years)
    assert window(lapsed.model_df, "2032-01-01", "2035-12-01")["lynas_ndpr_t"].mean() > 0


def test_us_tariffs_on_malaysia_move_it_away_from_the_us():
    # same seeds in both scenarios (common random numbers): the tariff is the only difference
    gaps = []
    for seed in (1, 2, 3):
        base, pressured = cached_run("baseline", run__seed=seed), cached_run("us_pressure", run__seed=seed)
        # (the baseline's own US may raise its tariff too, when Malaysia leans to China)
        assert mean(pressured, "us_tariff_malaysia") > mean(base, "us_tariff_malaysia") + 0.05
        assert mean(pressured, "malaysia_trade_tilt") < mean(base, "malaysia_trade_tilt")
        gaps.append(mean(pressured, "malaysia_alignment") - mean(base, "malaysia_alignment"))
    assert max(gaps) < 0.0 and sum(gaps) / len(gaps) < -0.01


def test_raw_ore_ban_stops_malaysian_ore_exports(baseline):
    no_ban = cached_run("baseline", replay__exclude=("E028",))
    assert window(baseline.model_df, "2024-01-01", "2035-12-01")["malaysia_ore_exports_t"].sum() == 0
    assert window(no_ban.model_df, "2024-01-01", "2025-12-01")["malaysia_ore_exports_t"].sum() > 0
    # with the ban and before a domestic buyer exists, the pilot mine slows down
    assert (
        window(baseline.model_df, "2024-03-01", "2025-04-01")["malaysia_ore_t"].sum()
        < window(no_ban.model_df, "2024-03-01", "2025-04-01")["malaysia_ore_t"].sum()
    )


def test_price_floor_for_malaysian_oxide_expands_lynas():
    floored = with_actions(("2026-04", "us_extend_price_floor_malaysia", {}))
    plain = with_actions()
    assert mean(floored, "lynas_cash_usd_m") > mean(plain, "lynas_cash_usd_m")
    assert mean(floored, "price_ndpr_realised_lynas_usd_kg", "2026-05-01", "2028-12-01") >= 110.0 - 1e-9
    # the floor counts in Lynas' expansion rule: with the market under the expansion's full cost
    # it expands only under the floor (in the baseline the market already covers it: both expand)
    rule = dict(years_left=10, months_since_last=60, cash_usd_m=500, capex_usd_m=150, utilisation=0.95)
    assert lynas_may_expand(expected_price_usd_kg=max(45.0, 110.0), full_cost_usd_kg=60.0, **rule)
    assert not lynas_may_expand(expected_price_usd_kg=45.0, full_cost_usd_kg=60.0, **rule)


def test_technology_export_ban_halves_joint_venture_know_how():
    banned = with_actions(("2026-04", "malaysia_accept_china_jv", {}))
    unbanned = with_actions(("2026-04", "malaysia_accept_china_jv", {}), replay__exclude=["E026", "E050"])
    assert mean(unbanned, "malaysia_capability") > mean(banned, "malaysia_capability") + 0.03


def test_equipment_controls_delay_new_projects():
    # China's equipment controls (E049) re-imposed early: new non-China capacity decided in the
    # same month comes online a year later.
    import re

    def first_project(result):
        rows = result.events_df[result.events_df["description"].str.startswith("New non-China")]
        assert len(rows), "no new projects were started"
        row = rows.iloc[0]
        return row["date"], re.search(r"from (\d{4}-\d{2})", row["description"]).group(1)

    decided_a, online_a = first_project(with_actions(("2021-06", "china_equipment_control", {})))
    decided_b, online_b = first_project(with_actions())
    assert decided_a == decided_b
    assert online_a > online_b


# ---- partnerships -----------------------------------------------------------------------------


def test_supply_tie_protects_jslink_when_china_withholds_dy_tb():
    tied = with_actions(("2026-06", "china_suspend_magnet_licences", {}), **STILL_CHINA)
    untied = with_actions(
        ("2026-06", "china_suspend_magnet_licences", {}), lynas__jslink_supply_share=0.0, **STILL_CHINA
    )
    assert mean(tied, "jslink_magnet_t", "2028-01-01") > 1.1 * mean(untied, "jslink_magnet_t", "2028-01-01")


def test_technology_tie_builds_malaysian_know_how():
    tied = with_actions(
        ("2026-06", "form_partnership", {"a": "Japanese magnet makers", "b": "JS Link", "tie": "technology"})
    )
    plain = with_actions()
    assert (
        mean(tied, "malaysia_capability", "2030-01-01", "2035-12-01")
        > mean(plain, "malaysia_capability", "2030-01-01", "2035-12-01") + 0.02
    )


# Malaysia may accept a Chinese joint venture by its own rule; arms that must differ only in one
# tie leave the joint venture off the table.
NO_JV = {"replay__exclude": ("E046",), "china__jv_offer_rate_per_year": 0.0}


def test_chinese_joint_venture_moves_alignment_towards_china():
    jv = with_actions(("2026-04", "malaysia_accept_china_jv", {}), **NO_JV)
    baseline = with_actions(**NO_JV)
    # (less than the ties' weight: Malaysia leans back towards the US in gestures to keep its reward)
    assert mean(jv, "malaysia_alignment") < mean(baseline, "malaysia_alignment") - 0.1
    # the joint venture mines Malaysian ore and employs people; the US answers with tariffs
    assert mean(jv, "malaysia_ore_t", "2029-01-01") > 10 * mean(baseline, "malaysia_ore_t", "2029-01-01")
    assert mean(jv, "malaysia_jobs", "2029-01-01") > mean(baseline, "malaysia_jobs", "2029-01-01")
    assert mean(jv, "us_tariff_malaysia", "2028-01-01") > mean(baseline, "us_tariff_malaysia", "2028-01-01")


def test_government_mou_moves_alignment_towards_the_us():
    baseline = cached_run("baseline", replay__exclude=("E046",), china__jv_offer_rate_per_year=0.0)
    without = cached_run("baseline", replay__exclude=("E046", "E051"), china__jv_offer_rate_per_year=0.0)
    # until the replay ends (March 2026) the two paths differ only by the agreement
    assert (
        mean(baseline, "malaysia_alignment", "2025-12-01", "2026-03-01")
        > mean(without, "malaysia_alignment", "2025-12-01", "2026-03-01") + 0.03
    )
    # the MoU's weight (0.3) times its strength, fading from October 2025 with its half-life
    half_life = baseline.scenario.malaysia.hedging.mou_half_life_years
    strength = sum(0.5 ** (age / (12 * half_life)) for age in (2, 3, 4, 5)) / 4
    assert mean(baseline, "malaysia_ties_tilt", "2025-12-01", "2026-03-01") == pytest.approx(
        mean(without, "malaysia_ties_tilt", "2025-12-01", "2026-03-01") + 0.3 * strength
    )
    after = lambda r: window(r.model_df, "2025-11-01", "2025-11-01")["partnerships_active"].iloc[0]  # noqa: E731
    assert after(baseline) == after(without) + 1


# ---- named scenarios --------------------------------------------------------------------------


def test_scenario_china_reescalates(baseline):
    escalated = cached_run("china_reescalates")
    assert mean(escalated, "china_export_licence_rate") < mean(baseline, "china_export_licence_rate") - 0.3
    assert mean(escalated, "price_magnet_exchina_usd_kg", "2027-01-01", "2030-12-01") > mean(
        baseline, "price_magnet_exchina_usd_kg", "2027-01-01", "2030-12-01"
    )
    assert mean(escalated, "malaysia_magnet_share_nonchina", "2028-01-01") > mean(
        baseline, "malaysia_magnet_share_nonchina", "2028-01-01"
    )


def took_the_joint_venture(result) -> bool:
    """Did Malaysia accept a Chinese refinery joint venture in this run?"""
    return result.events_df["description"].str.contains("accepts a Chinese refinery joint venture").any()


def test_scenario_us_courts_malaysia(baseline):
    courted = cached_run("us_courts_malaysia")
    # with no Chinese offer on the table, courting moves alignment towards the US on average over
    # paired seeds (not in each: the baseline's Malaysia leans to the US for the conditional reward)
    no_jv = {"replay.exclude": ["E046"], "china.jv_offer_rate_per_year": 0.0}
    gaps = [
        mean(run("us_courts_malaysia", overrides={"run.seed": seed, **no_jv}), "malaysia_alignment")
        - mean(run("baseline", overrides={"run.seed": seed, **no_jv}), "malaysia_alignment")
        for seed in (1, 2, 3, 4)
    ]
    assert sum(gaps) / len(gaps) > 0.03
    # but a tariff cut given up front is no longer Malaysia's to lose: with the replayed Chinese
    # offer on the table, the courted Malaysia takes the joint venture the baseline declines (the
    # refinery would cost it the conditional US reward), so the courting buys less alignment
    for seed in (1, 2):
        assert took_the_joint_venture(cached_run("us_courts_malaysia", run__seed=seed))
        assert not took_the_joint_venture(cached_run("baseline", run__seed=seed))
    assert mean(courted, "us_tariff_malaysia") == 0.0
    # the floor acts on what Lynas realises, not on the market price
    floor = window(courted.model_df, "2026-05-01", "2035-12-01")
    assert (floor["price_ndpr_realised_lynas_usd_kg"] >= 110.0 - 1e-9).all()
    assert mean(courted, "price_ndpr_exchina_usd_kg", "2027-01-01") < 110.0
    # the floor pays Lynas; it adds output only where the market would not cover an expansion
    assert mean(courted, "lynas_cash_usd_m", "2029-01-01") > mean(baseline, "lynas_cash_usd_m", "2029-01-01")
    assert mean(courted, "lynas_ndpr_t", "2029-01-01") >= mean(baseline, "lynas_ndpr_t", "2029-01-01")


def test_scenario_jslink_slips(baseline):
    late = cached_run("jslink_slips")
    assert window(late.model_df, "2027-01-01", "2028-12-01")["jslink_magnet_t"].sum() == 0
    assert mean(late, "malaysia_magnet_share_nonchina", "2027-01-01", "2030-12-01") < mean(
        baseline, "malaysia_magnet_share_nonchina", "2027-01-01", "2030-12-01"
    )
    assert mean(late, "malaysia_jobs", "2027-01-01", "2030-12-01") < mean(
        baseline, "malaysia_jobs", "2027-01-01", "2030-12-01"
    )


def test_scenario_no_history_diverges_from_replay(baseline):
    free = cached_run("no_history")
    history = window(baseline.model_df, "2020-01-01", "2026-03-01")
    counterfactual = window(free.model_df, "2020-01-01", "2026-03-01")
    # neither the replayed US tariffs on Malaysia (2025) nor China's replayed licensing (No. 18,
    # April 2025) is what the agents choose when left to themselves
    assert (history["us_tariff_malaysia"] != counterfactual["us_tariff_malaysia"]).any()
    assert (history["china_export_licence_rate"] != counterfactual["china_export_licence_rate"]).any()


def test_a_strong_us_counter_threat_shortens_chinas_escalation():
    """China re-escalates in November 2026 with relations sour; paired seeds, the US's counter-tariff
    step the only difference. A step whose cost to China outweighs what the controls are worth to it
    makes China ease sooner."""
    months = {}
    for step in (0.0, 0.6):
        months[step] = [
            (
                window(
                    cached_run("china_reescalates", run__seed=seed, us__counter_leverage_step=step).model_df,
                    "2026-11-01",
                    "2035-12-01",
                )["china_escalation_level"]
                > 0
            ).sum()
            for seed in (1, 2, 3, 4)
        ]
    assert sum(months[0.6]) < sum(months[0.0])
    assert all(strong <= none for strong, none in zip(months[0.6], months[0.0], strict=True))


def test_a_chinese_offer_draws_a_us_counter_offer_sooner():
    """Paired seeds; only the US's answer to its rival's moves differs. China's joint-venture offer
    (E046, October 2025) is on the table when the agents take over in April 2026; a competing US
    makes its own first offer sooner."""

    def months_to_first_us_offer(boost: float, seed: int) -> int:
        events = cached_run("baseline", run__seed=seed, us__rival_offer_boost=boost).events_df
        us = events[
            (events["date"] >= "2026-04-01")
            & (events["actor"] == "United States")
            & events["description"].str.contains(" offers ")
        ]["date"].min()
        return (us.year - 2026) * 12 + us.month - 4 if us == us else 120

    plain = [months_to_first_us_offer(1.0, seed) for seed in range(1, 9)]
    keen = [months_to_first_us_offer(20.0, seed) for seed in range(1, 9)]
    assert sum(keen) < sum(plain)
    assert all(k <= p for k, p in zip(keen, plain, strict=True))
