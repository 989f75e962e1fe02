"""Inject scripts: the news a teacher brings into a class, as YAML files in ``configs/classroom/``.

A script says where the class starts and ends, which rows of the replayed history it leaves out
(so that the teacher can bring them in as news, or the students decide them), and a list of
injects. Each inject has the month it takes effect, a headline and a short text for students, and
zero or more of the model's actions (the same vocabulary as scenario files)::

    name: october_2025_escalation
    title: October 2025: escalation and truce
    start: 2025-08
    end: 2027-07
    exclude: [E047, E053]          # events.csv rows the script brings in itself
    overrides: {}                  # parameter overrides (dotted paths), e.g. replay.until
    injects:
      - id: controls
        date: 2025-10
        headline: China extends its controls beyond its borders
        text: Foreign-made goods containing Chinese rare earths now need a Chinese licence.
        actions:
          - action: china_extraterritorial
            params: {announcement: "61", effective: 2025-12}

In class, an inject is announced to students at the start of the quarter that contains its month
(so they can react to it in that quarter's decisions) and its actions apply in its month. The
teacher can also fire any inject early, skip it, or write one on the spot.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..interventions import ActionError, validate_action
from ..scenario import ScenarioError, config_dirs, load_yaml, read_text
from ..timeline import month_index, parse_month


class ScriptError(ValueError):
    """An inject script that cannot be used; the message names the file and the problem."""


def _month(value: Any) -> str:
    year, month = parse_month(str(value))
    return f"{year:04d}-{month:02d}"


class InjectAction(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: str
    params: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def check_action(self) -> InjectAction:
        try:
            validate_action(self.action, self.params)
        except ActionError as err:
            raise ValueError(str(err)) from None
        return self


class Inject(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = ""
    date: str
    headline: str = Field(..., min_length=3)
    text: str = ""
    question: str = ""  # a question for the class (shown to the teacher and with the news)
    actions: list[InjectAction] = Field(default_factory=list)

    @field_validator("date", mode="before")
    @classmethod
    def norm_date(cls, value: Any) -> str:
        return _month(value)

    def fired_actions(self) -> list[tuple[str, dict]]:
        return [(a.action, dict(a.params)) for a in self.actions]


class Script(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    title: str
    description: str = ""
    scenario: str = "baseline"
    start: str = "2026-04"
    end: str = "2030-12"
    exclude: list[str] = Field(default_factory=list)
    overrides: dict[str, Any] = Field(default_factory=dict)  # parameter overrides by dotted path
    injects: list[Inject] = Field(default_factory=list)

    @field_validator("start", "end", mode="before")
    @classmethod
    def norm_dates(cls, value: Any) -> str:
        return _month(value)

    @model_validator(mode="after")
    def check_dates(self) -> Script:
        if month_index(self.end) < month_index(self.start):
            raise ValueError("end is before start")
        seen = set()
        for i, inject in enumerate(self.injects):
            if not inject.id:
                inject.id = f"i{i + 1:02d}"
            if inject.id in seen:
                raise ValueError(f"two injects have the id '{inject.id}'")
            seen.add(inject.id)
            if not month_index(self.start) <= month_index(inject.date) <= month_index(self.end):
                raise ValueError(
                    f"inject '{inject.id}' ({inject.date}) is outside the class ({self.start} to {self.end})"
                )
        self.injects.sort(key=lambda x: month_index(x.date))
        return self

    def inject(self, inject_id: str) -> Inject:
        for item in self.injects:
            if item.id == inject_id:
                return item
        raise KeyError(inject_id)


def script_dirs() -> list[Path]:
    return [d / "classroom" for d in config_dirs() if (d / "classroom").is_dir()]


def list_scripts() -> dict[str, Path]:
    """Named inject scripts (file stem -> path)."""
    found: dict[str, Path] = {}
    for folder in script_dirs():
        for path in sorted(folder.glob("*.yaml")):
            found.setdefault(path.stem, path)
    return found


def load_script(source: str | Path) -> Script:
    """Load and check a script by name (``october_2025_escalation``) or path."""
    path = Path(source)
    if path.suffix not in (".yaml", ".yml"):
        scripts = list_scripts()
        if str(source) not in scripts:
            raise ScriptError(f"no inject script named '{source}' (known: {', '.join(sorted(scripts)) or 'none'})")
        path = scripts[str(source)]
    if not path.is_file():
        raise ScriptError(f"{path}: no such file")
    try:
        data = load_yaml(read_text(path, "inject script")) or {}
    except ScenarioError as err:  # unreadable, binary or not UTF-8: the same one line
        raise ScriptError(str(err)) from None
    except yaml.YAMLError as err:
        raise ScriptError(f"{path}: not valid YAML ({str(err).splitlines()[0]})") from None
    data.setdefault("name", path.stem)
    return parse_script(data, str(path))


def parse_script(data: dict, origin: str = "script") -> Script:
    try:
        return Script(**data)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "script"
        raise ScriptError(f"{origin}: {where}: {first['msg']}") from None


def script_summaries() -> list[tuple[str, str, str]]:
    """(name, title, description) of every script, for menus."""
    out = []
    for name in list_scripts():
        try:
            script = load_script(name)
        except ScriptError:
            continue
        out.append((name, script.title, script.description.strip()))
    return out


# Ready-made news a teacher can bring in on the spot: label -> (action or None, params).
ADHOC_ACTIONS: dict[str, tuple[str | None, dict]] = {
    "News only (no effect in the model)": (None, {}),
    "China re-escalates its export controls": ("china_escalate", {}),
    "China suspends magnet and Dy/Tb export licences": ("china_suspend_magnet_licences", {}),
    "China and the US agree a truce": ("us_china_truce", {}),
    "China cuts export licences to Malaysia to 30%": ("china_restrict_malaysia", {"grant_rate": 0.3}),
    "China lifts its restriction on Malaysia": ("china_lift_malaysia_restriction", {}),
    "China offers Malaysia a refinery joint venture": ("china_offer_jv", {}),
    "The US raises its tariff on Malaysia to 40%": ("us_set_tariff", {"target": "Malaysia", "rate": 0.4}),
    "The US cuts its tariff on Malaysia to 10%": ("us_set_tariff", {"target": "Malaysia", "rate": 0.1}),
    "The US offers Malaysia its NdPr price floor": ("us_offer_price_floor", {}),
    "The US offers JS Link offtake and finance": ("us_offer_offtake", {}),
    "Korea offers JS Link technology and finance": ("korea_offer_partnership", {}),
    "Australia offers a critical-minerals partnership": ("australia_offer_partnership", {}),
    "JS Link's plant slips by two years": ("jslink_delay", {"months": 24}),
    "Buyers outside China pay more for secure supply": ("buyers_diversify", {"level": 0.5}),
}
