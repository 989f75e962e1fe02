"""Validation against history: patterns, experiments, report, calibration.

The names below are loaded lazily (PEP 562), so importing a light submodule such as
:mod:`magnetdiplomacy.validation.commands` (the command line does, on every call) does not pull in
the model, numpy and pandas through :mod:`.runner`.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .patterns import DEFAULT_PATTERNS, load_patterns
    from .runner import evaluate_all, loss, run_experiments

# public name -> submodule that defines it
_LAZY = {
    "DEFAULT_PATTERNS": "patterns",
    "load_patterns": "patterns",
    "evaluate_all": "runner",
    "loss": "runner",
    "run_experiments": "runner",
}

__all__ = ["DEFAULT_PATTERNS", "evaluate_all", "load_patterns", "loss", "run_experiments"]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value  # cache: later look-ups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
