"""Validation against history: patterns, experiments, report, calibration.

The names below are loaded lazily (PEP 562), so importing a light submodule such as
:mod:`magnetdiplomacy.validation.commands` (the command line does, on every call) does not pull in
the model, numpy and pandas through :mod:`.runner`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy import lazy_exports

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


__getattr__, __dir__ = lazy_exports(__name__, _LAZY, __all__)
