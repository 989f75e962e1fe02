"""Headless parameter sweeps and sensitivity analysis.

A sweep file (``configs/sweeps/*.yaml``) names a base scenario, the parameters to vary (dotted
paths of :mod:`magnetdiplomacy.parameters`, ranges defaulting to the declared ones), a design
(full factorial, Latin hypercube, Sobol/Saltelli or Morris), replications, a master seed and the
outcomes to keep. :func:`run_sweep` runs it on local worker processes or a Dask cluster, streaming
results to Parquet parts as runs finish; rerunning the same sweep into the same folder resumes it.
:func:`analyze` turns a finished sweep folder into sensitivity indices, tables and plots.

    uv run magnetdiplomacy sweep configs/sweeps/share_drivers.yaml --workers 2
    uv run magnetdiplomacy analyze runs/share_drivers
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy import lazy_exports

if TYPE_CHECKING:
    from .analysis import analyze
    from .runner import SweepReport, run_sweep
    from .spec import Sweep, SweepError, load_sweep
    from .storage import SweepStore, read_scalars, read_series

# public name -> submodule that defines it. Loaded lazily (PEP 562): the commands check their
# inputs with the light :mod:`.inputs` before they load numpy, pandas and the model.
_LAZY = {
    "analyze": "analysis",
    "SweepReport": "runner",
    "run_sweep": "runner",
    "Sweep": "spec",
    "SweepError": "schema",
    "load_sweep": "spec",
    "SweepStore": "storage",
    "read_scalars": "storage",
    "read_series": "storage",
}

__all__ = [
    "Sweep",
    "SweepError",
    "SweepReport",
    "SweepStore",
    "analyze",
    "load_sweep",
    "read_scalars",
    "read_series",
    "run_sweep",
]


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, __all__)
