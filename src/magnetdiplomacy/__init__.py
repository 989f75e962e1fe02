"""magnetdiplomacy: an agent-based model of the rare-earth magnet race around Malaysia."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("magnetdiplomacy")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

from .model import MagnetDiplomacyModel
from .runs import RunResult, run
from .scenario import ScenarioError, list_scenarios, load_scenario

__all__ = ["MagnetDiplomacyModel", "RunResult", "ScenarioError", "list_scenarios", "load_scenario", "run", "__version__"]
