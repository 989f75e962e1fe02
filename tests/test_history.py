"""The events replay: history sets the policy state month by month, then the agents take over."""

from __future__ import annotations

import pytest

from conftest import window
from magnetdiplomacy import MagnetDiplomacyModel, load_scenario
from magnetdiplomacy.history import actions_for, load_events, schedule


def test_every_event_row_maps_to_actions():
    events = load_events()
    assert len(events) == 60
    for event in events:
        assert actions_for(event), event.id


def test_schedule_covers_the_replay_window_in_date_order():
    items = schedule("2020-01", "2026-03")
    ids = {item.source.split(":")[1] for item in items}
    assert "E014" in ids and "E060" in ids and "E013" not in ids
    assert [i.tick for i in items] == sorted(i.tick for i in items)
    tariffs = [i for i in items if i.name == "us_set_tariff" and i.params.get("target") == "Malaysia"]
    # the 25% letter (E037) and the 19% order (E042) both take effect in August 2025; 19% comes last
    august = [t.params["rate"] for t in tariffs if t.tick == 67]
    assert august == [0.25, 0.19]


def test_replayed_state_matches_history(baseline):
    ts = baseline.model_df.set_index("date")
    assert ts.loc["2024-06-01", "china_mining_quota_t_yr"] == 270_000  # E027
    assert ts.loc["2025-03-01", "us_tariff_malaysia"] == 0.0
    assert ts.loc["2025-05-01", "us_tariff_malaysia"] == pytest.approx(0.10)  # E032 baseline rate
    assert ts.loc["2025-09-01", "us_tariff_malaysia"] == pytest.approx(0.19)  # E042
    assert ts.loc["2025-03-01", "china_export_licence_rate"] == 1.0
    assert ts.loc["2025-04-01", "china_export_licence_rate"] == 0.0  # No. 18: no licences in the first month
    assert ts.loc["2025-05-01", "china_export_licence_rate"] == pytest.approx(
        0.25
    )  # half-way through the 2-month delay
    assert ts.loc["2025-06-01", "china_export_licence_rate"] == pytest.approx(0.8)  # London framework (E036)
    assert ts.loc["2023-12-01", "raw_ore_ban"] == 0 and ts.loc["2024-01-01", "raw_ore_ban"] == 1  # E028
    assert ts.loc["2026-04-01", "lynas_licence_years_left"] > 9.5  # E060: 10 years from March 2026
    assert ts.loc["2026-02-01", "lynas_licence_years_left"] < 0.2  # E020's term ends March 2026


def test_agents_decide_only_after_the_replay(baseline):
    events = baseline.events_df
    agent = events[events["source"] == "agent"]
    policy = agent[agent["kind"].isin(["tariff", "export_control", "truce", "licence", "partnership"])]
    assert len(policy) > 0 and (policy["date"] > "2026-03-01").all()
    replayed = events[events["source"].str.startswith("events.csv")]
    assert (replayed["date"] <= "2026-03-01").all() and len(replayed) > 40
    # China decides its own quota where none was published (2025, E031)
    quota_2025 = agent[(agent["kind"] == "quota") & (agent["date"].dt.year == 2025)]
    assert len(quota_2025) == 1


def test_excluding_an_event_changes_the_path():
    model = MagnetDiplomacyModel(load_scenario("baseline", {"replay.exclude": ["E033"], "run.end": "2025-12"}))
    while model.running:
        model.step()
    df = model.datacollector.get_model_vars_dataframe()
    assert (window(df, "2025-04-01", "2025-10-01")["china_export_licence_rate"] == 1.0).all()
