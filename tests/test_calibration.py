"""The baseline's first month matches the 2020 state implied by calibration.csv."""

import pytest

from magnetdiplomacy.data import calibration_value

TOLERANCE = 0.05  # five percentage points


def implied_2020():
    """Shares implied by the sourced rows (not by model parameters)."""
    return {
        "china_mine_share": calibration_value("C001") / calibration_value("C012"),  # China / world mine output
        "china_separation_share": calibration_value("C082") / 100.0,  # China's share of refining
        "china_magnet_share": calibration_value("C112") / 100.0,  # China's share of NdFeB output
        # Lynas' separated REO (all of Malaysia's separation) over world REO output
        "malaysia_oxide_share_global": calibration_value("C084") / calibration_value("C012"),
    }


@pytest.mark.parametrize("column", sorted(implied_2020()))
def test_tick_zero_matches_calibration(baseline, column):
    first = baseline.model_df.iloc[0]
    assert first["tick"] == 0 and str(first["date"].date()) == "2020-01-01"
    expected = implied_2020()[column]
    assert abs(first[column] - expected) <= TOLERANCE, f"{column}: model {first[column]:.3f}, data {expected:.3f}"


def test_world_volumes_match_2020_data(baseline):
    first = baseline.model_df.iloc[0]
    assert first["world_mine_t"] * 12 == pytest.approx(calibration_value("C012"), rel=0.05)
    assert first["magnet_demand_t"] * 12 == pytest.approx(calibration_value("C114"), rel=0.05)
    # prices start at the 2020 average and then follow costs and stocks: the year stays near it
    year_2020 = baseline.model_df[baseline.model_df["date"].dt.year == 2020]
    assert year_2020["price_ndpr_china_usd_kg"].mean() == pytest.approx(calibration_value("C170"), rel=0.25)
    assert first["lynas_ndpr_t"] * 12 == pytest.approx(calibration_value("C083"), rel=0.1)


def test_baseline_has_all_contract_columns(baseline):
    from magnetdiplomacy.model import CONTRACT_COLUMNS

    missing = [c for c in CONTRACT_COLUMNS if c not in baseline.model_df.columns]
    assert not missing
    assert len(baseline.model_df) == 192
    assert baseline.model_df["tick"].tolist() == list(range(192))
