"""Every named scenario with two seeds gives the recorded outputs, bit for bit.

The digests in tests/data/output_hashes.json were recorded from the code before the last change
that was meant to leave results alone (see tests/regression.py for how to re-record them after a
deliberate change of what the model computes).
"""

from __future__ import annotations

import json

import pytest

from magnetdiplomacy import list_scenarios
from regression import HASHES, SEEDS, run_digests

RECORDED = json.loads(HASHES.read_text())


def test_every_named_scenario_is_recorded():
    assert sorted(RECORDED) == sorted(f"{name}/s{seed}" for name in list_scenarios() for seed in SEEDS)


@pytest.mark.parametrize("key", sorted(RECORDED))
def test_outputs_match_the_recorded_digests(key):
    scenario, seed = key.split("/s")
    assert run_digests(scenario, int(seed)) == RECORDED[key]
