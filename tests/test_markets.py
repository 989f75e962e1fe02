"""The markets at the scale of whole runs: prices anchored in costs and stocks, supply that answers
them, realised prices under floors, exports and value added at market prices, tariffs that bite."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import cached_run, window
from magnetdiplomacy import load_scenario
from magnetdiplomacy.mechanisms.oxide import storage_rule
from magnetdiplomacy.mechanisms.pricing import CostPoint, scarcity_price
from magnetdiplomacy.model import MagnetDiplomacyModel
from magnetdiplomacy.outputs import OUTPUTS
from magnetdiplomacy.parameters import parameter_table
from magnetdiplomacy.scenario import list_scenarios
from magnetdiplomacy.world import separation_costs


def run_model(scenario="baseline", seed: int | None = None, **overrides) -> MagnetDiplomacyModel:
    model = MagnetDiplomacyModel(load_scenario(scenario, overrides or None), rng=seed)
    model.run()
    return model


def frame(model: MagnetDiplomacyModel) -> pd.DataFrame:
    return model.datacollector.get_model_vars_dataframe()


def yearly(df: pd.DataFrame, column: str, how: str = "mean") -> pd.Series:
    return df.groupby(df["date"].dt.year)[column].agg(how)


def longest_flat_run(values: np.ndarray) -> int:
    """Longest stretch of months with exactly the same value."""
    longest = current = 1
    for before, now in zip(values[:-1], values[1:], strict=True):
        current = current + 1 if now == before else 1
        longest = max(longest, current)
    return longest


MARKET_PRICES = [
    name for name, item in OUTPUTS.items() if item.kind == "usd_kg" and "realised" not in name and "magnet" not in name
]


@pytest.mark.parametrize("scenario", sorted(list_scenarios()))
def test_no_market_price_sits_at_a_bound(scenario):
    """Oxide prices move with stocks and costs every month: none sits at one value for half a year
    (the old model parked the price at a hard-coded floor for 41 of 60 months)."""
    df = cached_run(scenario).model_df
    for column in MARKET_PRICES:
        assert longest_flat_run(df[column].to_numpy()) < 6, column


def test_a_realised_price_sits_still_only_at_a_floor_in_force():
    """MP's realised price sits still only at the US floor in force that month (a policy, not a
    bound of the model); without a floor it is a market price."""
    model = run_model("baseline", seed=2)
    df = frame(model)
    realised = df["price_ndpr_realised_mp_usd_kg"].to_numpy()
    floors = np.array([model.controls.price_floors(t).get("MP Materials", 0.0) for t in range(model.n_ticks)])
    flat = np.r_[False, realised[1:] == realised[:-1]]
    assert flat.sum() > 12  # the floor binds in the baseline
    assert np.allclose(realised[flat], floors[flat])


def test_lynas_output_stops_with_the_movement_control_order_and_grows_with_its_upgrade():
    df = cached_run("baseline").model_df
    april_2020 = window(df, "2020-04-01", "2020-04-01")["lynas_ndpr_t"].iloc[0]
    assert april_2020 == 0.0  # C483: shut for six weeks from late March 2020
    per_year = yearly(df, "lynas_ndpr_t", "sum")
    assert per_year[2020] < per_year[2021]  # it restarts at 70 % of its rate
    assert per_year[2028] > 9_000 > per_year[2022]  # the 10,500 t/yr upgrade and Mt Weld's expansion
    assert per_year.loc[2020:2030].nunique() > 5  # output follows feed, outages and upgrades


def price_bounds(model: MagnetDiplomacyModel) -> tuple[float, float]:
    """The cheapest cash cost of any separator, and the scarcity price of the dearest one with
    freight and the origin premium on top (what the storage rule can give, see pricing)."""
    cfg = model.config
    costs = separation_costs(cfg)
    rule = storage_rule(cfg)
    lowest = min(cash for cash, _ in costs.values())
    highest = max(scarcity_price(CostPoint(1.0, cash, cash + capital), rule) for cash, capital in costs.values())
    highest *= (1.0 + cfg.market.trade_friction) * (1.0 + cfg.market.origin_premium)
    start = cfg.market.ndpr_price_usd_kg
    return min(lowest, start), max(highest, start)


@pytest.mark.slow
def test_prices_stay_between_the_cheapest_cash_cost_and_the_scarcity_price_for_500_parameter_sets():
    """Every numeric parameter drawn at random within its declared range (500 sets): each month's
    NdPr prices in both pools stay between the cheapest separator's cash cost and the scarcity
    price of the dearest one (stocks down to working stock), with freight and the origin premium."""
    compositions = ("demand.segments.", "demand.regions.")  # shares that must sum to one stay as declared
    table = {
        name: p
        for name, p in parameter_table().items()
        if p.sweep and p.kind == "float" and p.lo is not None and not name.startswith(compositions)
    }
    rng = np.random.default_rng(500)
    for i in range(500):
        draw = {name: float(rng.uniform(p.lo, p.hi)) for name, p in table.items()}
        draw["run.end"] = "2028-12"
        draw["outputs.agent_table"] = False
        model = MagnetDiplomacyModel(load_scenario("baseline", draw), rng=i)
        low, high = price_bounds(model)
        for _ in range(model.n_ticks):
            model.step()
            for pool in ("china", "exchina"):
                price = model.market.prices[f"ndpr_{pool}"]
                assert low - 1e-9 <= price <= high + 1e-9, (i, model.tick, pool, price, low, high)


def test_a_price_spike_comes_with_falling_stocks_then_new_supply_after_its_lead_time():
    model = run_model("baseline")
    df = frame(model)
    early = window(df, "2020-01-01", "2023-12-01")
    peak = early.loc[early["price_ndpr_exchina_usd_kg"].idxmax()]
    assert peak["price_ndpr_exchina_usd_kg"] > 1.5 * df["price_ndpr_exchina_usd_kg"].iloc[0]
    before = window(df, "2020-01-01", "2020-06-01")
    lead_in = df[(df["date"] <= peak["date"]) & (df["date"] > peak["date"] - pd.DateOffset(months=6))]
    for pool in ("china", "exchina"):  # stocks-to-use fell into the spike
        assert lead_in[f"ndpr_cover_{pool}_months"].mean() < before[f"ndpr_cover_{pool}_months"].mean()
    # new projects were decided on the past year's price and produce only after their lead time
    events = pd.DataFrame(model.event_log)
    decided = events[events["description"].str.startswith("New non-China mine and separation projects")]
    assert len(decided), "a spike above the incentive price starts new projects"
    first = int(decided["tick"].min())
    lag = int(round(model.config.mines.new_supply_lag_years * 12))
    plant = model.chain.plants["new_separation"]
    assert plant.capacity_t(first + lag - 1) == 0.0 < plant.capacity_t(first + lag + 12)
    incentive = model.config.costs.new_supply_incentive_usd_kg
    # decided at the start of a month on the year's closing quotes: the prices of the 12 months to this one
    year_before = df[(df["tick"] <= first) & (df["tick"] > first - 12)]["price_ndpr_exchina_usd_kg"].mean()
    assert year_before >= incentive * 0.999


def test_producers_below_cash_cost_curtail_and_mothball():
    """Without its floor, an MP Materials with a cash cost above the market price cuts its output,
    then mothballs after a year of losses."""
    overrides = {"costs.ndpr_cash_mp_usd_kg": 80.0, "replay.exclude": ["E038", "E045"], "run.end": "2032-12"}
    model = run_model("baseline", seed=4, **overrides)
    events = pd.DataFrame(model.event_log)
    mothballed = events[events["description"].str.contains("mp_separation mothballed")]
    assert len(mothballed) >= 1
    df = frame(model)
    tick = int(mothballed["tick"].iloc[0])
    months = int(model.config.costs.closure_months)
    last_year = df[(df["tick"] <= tick) & (df["tick"] > tick - months)]
    assert (last_year["price_ndpr_realised_mp_usd_kg"] < 80.0).all()


def test_exports_and_value_added_move_with_the_price():
    """A dearer Chinese cost base lifts NdPr prices; Malaysia's export revenue and value added
    rise with them in every year of the replay (same seed, same draws)."""
    base = frame(run_model("baseline", seed=5, **{"run.end": "2025-12"}))
    dear = frame(run_model("baseline", seed=5, **{"run.end": "2025-12", "costs.ndpr_cash_china_usd_kg": 40.0}))
    for year in range(2021, 2026):
        price_up = yearly(dear, "price_ndpr_exchina_usd_kg")[year] - yearly(base, "price_ndpr_exchina_usd_kg")[year]
        exports_up = (
            yearly(dear, "malaysia_export_revenue_usd", "sum")[year]
            - yearly(base, "malaysia_export_revenue_usd", "sum")[year]
        )
        value_up = (
            yearly(dear, "malaysia_value_added_usd", "sum")[year]
            - yearly(base, "malaysia_value_added_usd", "sum")[year]
        )
        assert price_up > 0 and exports_up > 0 and value_up > 0, year


def test_a_us_tariff_on_malaysia_changes_what_it_sells_to_the_us_and_what_it_earns_there():
    """A 40 % tariff (us_pressure) turns JS Link's US buyers to other makers: its magnets go
    elsewhere while magnets are scarce, and what Malaysia earns in the US falls with them."""
    for seed in (1, 2):
        base = frame(run_model("baseline", seed=seed, **{"run.end": "2030-12"}))
        taxed = frame(run_model("us_pressure", seed=seed, **{"run.end": "2030-12"}))
        late_base, late_taxed = window(base, "2027-01-01", "2030-12-01"), window(taxed, "2027-01-01", "2030-12-01")
        assert late_taxed["malaysia_magnet_exports_us_t"].sum() < 0.5 * late_base["malaysia_magnet_exports_us_t"].sum()
        earned_in_us = [
            (late["malaysia_magnet_exports_us_t"] * late["price_magnet_exchina_usd_kg"]).sum()
            for late in (late_base, late_taxed)
        ]
        assert earned_in_us[1] < 0.5 * earned_in_us[0]
        assert late_taxed["malaysia_export_revenue_usd"].sum() != late_base["malaysia_export_revenue_usd"].sum()


def test_a_floor_changes_mps_realised_price_not_the_market_price():
    """With the US floor for MP Materials (E038, E045) MP realises at least the floor while the market
    price stays below it; without it MP realises the market price."""
    with_floor = frame(run_model("baseline", seed=3, **{"run.end": "2030-12"}))
    without = frame(run_model("baseline", seed=3, **{"run.end": "2030-12", "replay.exclude": ["E038", "E045"]}))
    span = ("2026-01-01", "2030-12-01")
    floor, free = window(with_floor, *span), window(without, *span)
    assert (floor["price_ndpr_realised_mp_usd_kg"] >= 110.0 - 1e-9).all()
    assert (floor["price_ndpr_exchina_usd_kg"] < 110.0).mean() > 0.8
    realised_gap = (floor["price_ndpr_realised_mp_usd_kg"] - free["price_ndpr_realised_mp_usd_kg"]).mean()
    market_gap = (floor["price_ndpr_exchina_usd_kg"] - free["price_ndpr_exchina_usd_kg"]).abs().mean()
    # The floor also keeps MP's plant running in months the free arm mothballs it, which moves the
    # market price for a while; its effect on MP's realised price must still dominate.
    assert realised_gap > 20.0 and market_gap < 0.5 * realised_gap
    assert np.allclose(free["price_ndpr_realised_mp_usd_kg"], free["price_ndpr_exchina_usd_kg"], rtol=0.05)


def test_dy_and_tb_prices_in_china_move():
    df = cached_run("baseline").model_df
    for good in ("dy", "tb"):
        china = df[f"price_{good}_china_usd_kg"]
        assert china.std() > 0.05 * china.mean(), good
        assert (df[f"price_{good}_exchina_usd_kg"] >= china - 1e-9).all(), good
