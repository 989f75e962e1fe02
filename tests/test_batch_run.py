"""Mesa's batch_run drives the model through ``runs.BatchModel``: plain keyword parameters and rng."""

from __future__ import annotations

import mesa
import pandas as pd

from magnetdiplomacy.runs import BatchModel

# 2020-01 to 2025-05 is 65 months. Until March 2025 the replay leaves China's export licences
# untouched, whatever the grant rate; No. 18 (E033) grants none in April 2025, and May 2025 is the
# first month in which the grant rate sets the licence rate.
END, MONTHS = "2025-05", 65


def test_batch_run_with_plain_keywords():
    results = mesa.batch_run(
        BatchModel,
        parameters={"china__licence_grant_rate": [0.2, 0.8], "buyers__count": 30, "run__end": END},
        rng=[1, 2],
        max_steps=1000,
        number_processes=1,
        data_collection_period=-1,
        display_progress=False,
    )
    assert len(results) == 4
    assert {(r["china__licence_grant_rate"], r["rng"]) for r in results} == {(0.2, 1), (0.8, 1), (0.2, 2), (0.8, 2)}
    # each run stops at its last month: mesa reports the steps taken, the row is the last month's
    for r in results:
        assert r["Step"] == MONTHS and r["tick"] == MONTHS - 1
        assert pd.Timestamp(r["date"]).strftime("%Y-%m") == END
        assert -1 <= r["malaysia_alignment"] <= 1
    # the grant rate reaches the model: under licensing, fewer licences at the lower rate
    by_run = {(r["china__licence_grant_rate"], r["rng"]): r for r in results}
    for seed in (1, 2):
        low, high = by_run[(0.2, seed)], by_run[(0.8, seed)]
        assert low["china_export_licence_rate"] < high["china_export_licence_rate"]
