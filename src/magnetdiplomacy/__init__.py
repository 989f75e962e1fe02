"""magnetdiplomacy: an agent-based model of the rare-earth magnet race around Malaysia.

The public names (and ``__version__``) are loaded lazily (PEP 562): ``import magnetdiplomacy``
stays light, so the command line's ``--help``, ``scenarios`` and ``describe`` do not pay for Mesa,
pandas and numpy. ``from magnetdiplomacy import run`` imports the model on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .lazy import lazy_exports

if TYPE_CHECKING:
    __version__: str
    from .model import MagnetDiplomacyModel
    from .runs import RunResult, run
    from .scenario import ScenarioError, list_scenarios, load_scenario

# public name -> submodule that defines it
_LAZY = {
    "MagnetDiplomacyModel": "model",
    "RunResult": "runs",
    "run": "runs",
    "ScenarioError": "scenario",
    "list_scenarios": "scenario",
    "load_scenario": "scenario",
}

__all__ = [
    "MagnetDiplomacyModel",
    "RunResult",
    "ScenarioError",
    "list_scenarios",
    "load_scenario",
    "run",
    "__version__",
]


def _version() -> str:
    from .version import package_version

    return package_version()


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, __all__, special={"__version__": _version})
