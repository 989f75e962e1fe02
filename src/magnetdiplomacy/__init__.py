"""magnetdiplomacy: an agent-based model of the rare-earth magnet race around Malaysia.

The public names (and ``__version__``) are loaded lazily (PEP 562): ``import magnetdiplomacy``
stays light, so the command line's ``--help``, ``scenarios`` and ``describe`` do not pay for Mesa,
pandas and numpy. ``from magnetdiplomacy import run`` imports the model on first use.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

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


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from .version import package_version

        value = globals()["__version__"] = package_version()
        return value
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value  # cache: later look-ups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
