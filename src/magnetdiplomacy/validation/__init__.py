"""Validation against history: patterns, experiments, report, calibration."""

from .patterns import DEFAULT_PATTERNS, load_patterns
from .runner import evaluate_all, loss, run_experiments

__all__ = ["DEFAULT_PATTERNS", "evaluate_all", "load_patterns", "loss", "run_experiments"]
