"""Explore the model with the EMA Workbench: uncertainties, levers and outcomes.

    uv sync                      # ema-workbench is one of the project's dependencies
    uv run python docs/interop/ema_workbench_example.py

The workbench samples *uncertainties* (what nobody controls: China's licence grant rate, buyers'
price sensitivity, JS Link's ramp) and *levers* (what Malaysia's partners choose: the US tariff on
Malaysia and how often the US offers a price floor), combines them, runs the model for each
combination and replication, and returns the experiments and outcomes as arrays. Ranges come
from the parameter declarations (``magnetdiplomacy.parameters``), as in sweep files. Parameter
names use ``__`` for the dots of a path because the workbench passes them as keyword arguments.
"""

from __future__ import annotations

import numpy as np

from magnetdiplomacy import MagnetDiplomacyModel, load_scenario
from magnetdiplomacy.parameters import parameter_table

UNCERTAINTIES = {"china.licence_grant_rate": None, "buyers.cost_sensitivity": (2.0, 30.0), "jslink.ramp_months": None}
LEVERS = {"us.tariff_malaysia_initial": (0.0, 0.5), "us.floor_offer_rate_per_year": (0.0, 1.0)}


def magnetdiplomacy_model(end: str = "2030-12", buyers: int = 100, seed: int = 1, **parameters: float) -> dict:
    """One run: keyword parameters (``china__licence_grant_rate=...``) in, outcomes out."""
    overrides = {name.replace("__", "."): value for name, value in parameters.items()}
    scenario = load_scenario(
        "baseline", {**overrides, "run.end": end, "buyers.count": buyers, "outputs.agent_table": False}
    )
    model = MagnetDiplomacyModel(scenario, rng=seed)
    while model.running:
        model.step()
    df = model.datacollector.get_model_vars_dataframe()
    last_year = df[df["date"].astype(str).str[:4] == str(end)[:4]]
    return {
        "share_nonchina_last_year": float(last_year["malaysia_magnet_share_nonchina"].mean()),
        "alignment_end": float(df["malaysia_alignment"].iloc[-1]),
        "alignment": df["malaysia_alignment"].to_numpy(dtype=float),
    }


def mean_of_replications(values) -> float:
    """Scalar outcome: the mean over the replications of one experiment."""
    return float(np.mean(values))


def median_path(values) -> np.ndarray:
    """Array outcome: the month-by-month median over the replications of one experiment."""
    return np.median(np.stack([np.asarray(v, dtype=float) for v in values]), axis=0)


def build(end: str = "2030-12", buyers: int = 100, replications: int = 2):
    """The workbench model: uncertainties, levers, constants, outcomes and replications."""
    from ema_workbench import ArrayOutcome, Constant, RealParameter, ReplicatorModel, ScalarOutcome

    table = parameter_table()

    def real(path: str, bounds: tuple[float, float] | None):
        spec = table[path]
        lo, hi = bounds or (spec.lo, spec.hi)
        return RealParameter(path.replace(".", "__"), lo, hi)

    model = ReplicatorModel("magnetdiplomacy", function=magnetdiplomacy_model)
    model.uncertainties = [real(path, bounds) for path, bounds in UNCERTAINTIES.items()]
    model.levers = [real(path, bounds) for path, bounds in LEVERS.items()]
    model.constants = [Constant("end", end), Constant("buyers", buyers)]
    model.outcomes = [
        ScalarOutcome("share_nonchina_last_year", function=mean_of_replications),
        ScalarOutcome("alignment_end", function=mean_of_replications),
        ArrayOutcome("alignment", function=median_path),
    ]
    model.replications = [{"seed": seed} for seed in range(1, replications + 1)]
    return model


def main(scenarios: int = 8, policies: int = 2, end: str = "2030-12", buyers: int = 100, replications: int = 2):
    """Sample and run; return (experiments DataFrame, outcomes dict of arrays)."""
    from ema_workbench import SequentialEvaluator, perform_experiments

    model = build(end, buyers, replications)
    with SequentialEvaluator(model) as evaluator:
        experiments, outcomes = perform_experiments(
            model,
            scenarios=scenarios,
            policies=policies,
            evaluator=evaluator,
            uncertainty_sampling_kwargs={"rng": 42},
            lever_sampling_kwargs={"rng": 43},
        )
    return experiments, outcomes


if __name__ == "__main__":
    from ema_workbench import ema_logging

    ema_logging.log_to_stderr(ema_logging.INFO)
    experiments, outcomes = main()
    share = np.asarray(outcomes["share_nonchina_last_year"])
    print(experiments.head())
    print("outcome arrays:", {name: np.shape(values) for name, values in outcomes.items()})
    print("mean share of non-China magnets in the last year by US tariff lever:")
    frame = experiments.assign(share=share)
    print(frame.groupby("policy")[["us__tariff_malaysia_initial", "share"]].mean().round(3).to_string())
