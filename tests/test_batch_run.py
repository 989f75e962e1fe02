"""Mesa's batch_run drives the model unchanged: plain keyword parameters and rng."""

from __future__ import annotations

import mesa

from magnetdiplomacy import MagnetDiplomacyModel


def test_batch_run_with_plain_keywords():
    results = mesa.batch_run(
        MagnetDiplomacyModel,
        parameters={"china__licence_grant_rate": [0.2, 0.8], "buyers__count": 30, "run__end": "2021-12"},
        rng=[1, 2],
        max_steps=1000,
        number_processes=1,
        data_collection_period=-1,
        display_progress=False,
    )
    assert len(results) == 4
    assert {r["china__licence_grant_rate"] for r in results} == {0.2, 0.8}
    assert all(r["Step"] == 24 or "malaysia_alignment" in r for r in results)
    assert all(-1 <= r["malaysia_alignment"] <= 1 for r in results)
