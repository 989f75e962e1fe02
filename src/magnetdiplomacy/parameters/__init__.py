"""Every model parameter, declared once: default, allowed range, unit, description and data source.

The classes of this package *are* the scenario schema (pydantic validates YAML files against them). The
metadata attached by :func:`param` is read back by :func:`iter_parameters`, which the CLI
(``describe``), the browser app (slider ranges and help text) and the sweep definitions use, so
no default, range or description is written twice.

``source`` names the row of ``data/calibration.csv`` (``C…``) or ``data/events.csv`` (``E…``)
a number comes from, ``DESIGN`` for the design brief's value ladder and segment shares, or
``assumption``. ``flag`` carries the calibration file's caution flags (OK, 2nd, VINTAGE,
UNCERTAIN, GAP, ASSUMPTION) into every output that lists parameters.
"""

from __future__ import annotations

from .base import FLAGS, Section, YearMonth, _check_month, param
from .costs import CostSettings, StockpileSettings
from .demand import (
    REGIONS,
    SEGMENTS,
    BuyerSettings,
    DemandSettings,
    Regions,
    ReplaySettings,
    RunSettings,
    Segment,
    Segments,
)
from .development import DevelopmentSettings
from .hedging import HedgingRule
from .makers import JSLinkSettings, LynasSettings, MagnetSettings
from .markets import MarketSettings
from .schema import (
    ControllerSettings,
    EconomicsSettings,
    Intervention,
    OutputSettings,
    ParamSpec,
    PartnerSettings,
    Scenario,
    iter_parameters,
    parameter_table,
)
from .states import ChinaSettings, MalaysiaSettings, USSettings
from .supply import MineSettings, SeparationSettings

__all__ = [
    "FLAGS",
    "REGIONS",
    "SEGMENTS",
    "BuyerSettings",
    "ChinaSettings",
    "CostSettings",
    "StockpileSettings",
    "ControllerSettings",
    "DemandSettings",
    "DevelopmentSettings",
    "EconomicsSettings",
    "HedgingRule",
    "Intervention",
    "JSLinkSettings",
    "LynasSettings",
    "MagnetSettings",
    "MalaysiaSettings",
    "MarketSettings",
    "MineSettings",
    "OutputSettings",
    "ParamSpec",
    "PartnerSettings",
    "Regions",
    "ReplaySettings",
    "RunSettings",
    "Scenario",
    "Section",
    "Segment",
    "Segments",
    "SeparationSettings",
    "USSettings",
    "YearMonth",
    "_check_month",
    "iter_parameters",
    "param",
    "parameter_table",
]
