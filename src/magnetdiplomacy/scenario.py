"""Scenario files: YAML -> one validated :class:`~magnetdiplomacy.parameters.Scenario`.

A scenario file sets any parameter declared in :mod:`magnetdiplomacy.parameters` (nested keys
mirror the dotted paths) and may list dated ``interventions``. A named scenario says
``extends: baseline`` and overrides only what differs; interventions add to the base's. Overrides
from the command line (``--set china.licence_grant_rate=0.3``) or from keyword arguments apply last.
Every problem becomes a :class:`ScenarioError` with one line naming the file and key path.

Files are read strictly (:mod:`.parameters.yamlio`): UTF-8 (or UTF-16/32 with a byte-order mark), no
duplicate keys, no impossible dates, nesting and alias expansion bounded. A scenario is checked
beyond its declared types too: intervention dates inside the run, replayed event ids that exist,
and a name (the file's own, else its file name) that is one safe folder name. A file without a
``name`` takes its file name.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from .interventions import ActionError, validate_action
from .parameters import Scenario, parameter_table
from .parameters.inputs import ScenarioError, check_path_length, read_text_file, safe_name, strict_month
from .parameters.yamlio import YamlLoader, load_yaml, parse_yaml_mapping
from .timeline import month_index, months_between

PROJECT_ROOT = Path(__file__).resolve().parents[2]

__all__ = [
    "PROJECT_ROOT",
    "ScenarioError",
    "YamlLoader",
    "build_scenario",
    "config_dirs",
    "default_folder",
    "find_scenario",
    "list_scenarios",
    "load_scenario",
    "load_yaml",
    "parse_assignment",
    "parse_yaml_mapping",
    "prepare",
    "read_text",
    "read_yaml_mapping",
    "shown_path",
]


def _cwd() -> Path | None:
    try:
        return Path.cwd()
    except OSError:  # the working folder was deleted
        return None


def config_dirs() -> list[Path]:
    """Where named scenarios are looked up: ./configs, then the project's configs."""
    cwd = _cwd()
    dirs = ([cwd / "configs"] if cwd else []) + [PROJECT_ROOT / "configs"]
    return [d for i, d in enumerate(dirs) if d.is_dir() and d.resolve() not in {x.resolve() for x in dirs[:i]}]


def shown_path(path: Path) -> str:
    """A path as the user would write it: relative to the working folder when inside it."""
    cwd = _cwd()
    return str(path.relative_to(cwd)) if cwd and path.is_relative_to(cwd) else str(path)


def find_scenario(name: str | Path) -> Path:
    """Path of a scenario given as a file path or a bare name (``baseline``, ``lynas_no_renewal``)."""
    if not str(name).strip():
        raise ScenarioError("scenario name is empty: give a scenario file or a name (see `magnetdiplomacy scenarios`)")
    check_path_length(name, "scenario")
    path = Path(name)
    if path.suffix in (".yaml", ".yml") or path.exists():
        if not path.is_file():
            kind = "a folder" if path.is_dir() else "not a regular file" if path.exists() else ""
            raise ScenarioError(f"{path}: no such scenario file" + (f" ({kind})" if kind else ""))
        return path
    for folder in config_dirs():
        for candidate in (folder / f"{name}.yaml", folder / "scenarios" / f"{name}.yaml"):
            if candidate.is_file():
                return candidate
    known = ", ".join(sorted(list_scenarios())) or "none found"
    raise ScenarioError(f"{name}: no scenario file or named scenario of that name (known: {known})")


def list_scenarios() -> dict[str, Path]:
    """Every named scenario: ``baseline`` and the files in ``configs/scenarios``."""
    found: dict[str, Path] = {}
    for folder in config_dirs():
        for path in [folder / "baseline.yaml", *sorted((folder / "scenarios").glob("*.yaml"))]:
            if path.is_file():
                found.setdefault(path.stem, path)
    return found


def read_yaml_mapping(path: Path, what: str = "scenario file") -> dict:
    """Read a YAML file that must hold a mapping; problems become one-line :class:`ScenarioError`."""
    return parse_yaml_mapping(read_text(path, what), path, what)


def read_text(path: Path, what: str = "file") -> str:
    """A file's text (UTF-8, or UTF-16/32 with a byte-order mark); an unreadable, binary or
    wrongly encoded file becomes a one-line :class:`ScenarioError`."""
    return read_text_file(Path(path), what)


def _merge(base: dict, override: Mapping) -> dict:
    out = copy.deepcopy(base)
    for key, value in override.items():
        if key == "interventions":
            out[key] = list(out.get(key) or []) + list(value or [])
        elif isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _load_tree(path: Path, seen: tuple[Path, ...] = ()) -> dict:
    resolved = path.resolve()
    if resolved in seen:
        raise ScenarioError(f"{path}: 'extends' goes round in a circle")
    data = read_yaml_mapping(path)
    if not seen and "name" not in data:  # the file's own name, not the one it extends
        data["name"] = re.sub(r"[^\w .+-]", "_", path.stem).lstrip(". ") or "scenario"
    parent = data.get("extends")
    if parent:
        if not isinstance(parent, str):
            raise ScenarioError(f"{path}: extends: must be a scenario name or file")
        check_path_length(path.parent / parent, f"{path}: extends:")
        parent_path = find_scenario(parent) if not (path.parent / parent).is_file() else path.parent / parent
        data = _merge(_load_tree(parent_path, seen + (resolved,)), data)
    return data


def parse_assignment(text: str) -> tuple[str, Any]:
    """``key.path=value`` (the value is read as YAML: numbers, booleans, lists)."""
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ScenarioError(f"--set {text[:80]}: expected key.path=value")
    try:
        value = load_yaml(raw) if raw.strip() else ""
    except yaml.YAMLError as err:
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise ScenarioError(f"--set {key}: value {raw[:60]!r} is not valid YAML: {problem}") from None
    return key, value


def _assign(tree: dict, dotted: str, value: Any, origin: str) -> None:
    parts = dotted.replace("__", ".").split(".")
    node: Any = Scenario()
    for i, part in enumerate(parts):
        fields = type(node).model_fields if isinstance(node, BaseModel) else {}
        if part not in fields:
            prefix = ".".join(parts[:i]) or "top level"
            raise ScenarioError(f"{origin}: {dotted[:120]}: unknown key '{part[:60]}' under {prefix}")
        node = getattr(node, part)
    target = tree
    for part in parts[:-1]:
        target = target.setdefault(part, {})
        if not isinstance(target, dict):
            raise ScenarioError(f"{origin}: {'.'.join(parts)}: cannot set inside a non-mapping")
    target[parts[-1]] = value


def _number(value: float) -> str:
    return f"{int(value):d}" if float(value).is_integer() and abs(value) < 1e15 else f"{value:g}"


def _shown(value: Any) -> str:
    text = repr(value).replace("True", "true").replace("False", "false")
    return text if len(text) <= 80 else text[:77] + "..."


def _describe_error(err: ValidationError, origin: str) -> str:
    first = err.errors()[0]
    loc = [str(p) for p in first["loc"]]
    path = ".".join(loc)
    kind = first["type"]
    got = first.get("input")
    spec = parameter_table().get(".".join(p for p in loc if not p.isdigit()))
    allowed = ""
    if spec is not None and spec.lo is not None and spec.hi is not None:
        allowed = f"[{_number(spec.lo)}, {_number(spec.hi)}] {spec.unit}"
    if kind == "extra_forbidden":
        return f"{origin}: {path}: unknown key (check the spelling; `magnetdiplomacy describe` lists every parameter)"
    if kind in ("greater_than_equal", "less_than_equal") and allowed:
        return f"{origin}: {path}: {_shown(got)} is out of range {allowed}"
    if kind == "finite_number":
        return f"{origin}: {path}: {_shown(got)} is not a finite number" + (f" (allowed: {allowed})" if allowed else "")
    message = first["msg"].removeprefix("Value error, ")
    shown = f" (got {_shown(got)})" if got is not None and not isinstance(got, dict) and kind != "value_error" else ""
    return f"{origin}: {path or 'scenario'}: {message}{shown}"


def build_scenario(tree: dict, origin: str, changed: Iterable[str] = ()) -> Scenario:
    """Validate a merged scenario mapping (and its interventions) into a :class:`Scenario`: the
    declared types and ranges, each action's parameters, intervention dates inside the run and
    replayed event ids that exist. A problem under a key path in ``changed`` (set by ``--set``) is
    reported as ``--set``'s, others as ``origin``'s."""
    changed = tuple(changed)

    def where(path: str) -> str:
        return "--set" if any(path == key or path.startswith(key + ".") for key in changed) else origin

    try:
        scenario = Scenario.model_validate(tree)
    except ValidationError as err:
        path = ".".join(str(p) for p in err.errors()[0]["loc"])
        raise ScenarioError(_describe_error(err, where(path))) from None
    first, last = month_index(scenario.run.start), month_index(scenario.run.end)
    for i, item in enumerate(scenario.interventions):
        if not first <= month_index(item.date) <= last:
            raise ScenarioError(
                f"{where('interventions')}: interventions[{i}]: date {item.date} is outside the run "
                f"({scenario.run.start} to {scenario.run.end}); move it or change run.start/run.end"
            )
        try:
            item.set_checked(validate_action(item.action, item.params))
        except ActionError as err:
            raise ScenarioError(f"{where('interventions')}: interventions[{i}]: {err}") from None
    _check_event_ids(scenario.replay.exclude, where("replay.exclude"))
    return scenario


def _check_event_ids(ids: list[str], origin: str) -> None:
    if not ids:
        return
    from .history import load_events

    known = [event.id for event in load_events()]
    unknown = [event_id for event_id in ids if event_id not in known]
    if unknown:
        raise ScenarioError(
            f"{origin}: replay.exclude: unknown event id {unknown[0]!r} (events.csv has {known[0]} to {known[-1]})"
        )


def load_scenario(
    source: str | Path | Scenario | None = None, overrides: Mapping[str, Any] | Iterable[str] | None = None
) -> Scenario:
    """Load and validate a scenario (file path, bare name, or Scenario), then apply overrides.

    ``overrides`` is a mapping of dotted paths (``china.licence_grant_rate``; ``__`` also works as a
    separator) to values, or a list of ``key.path=value`` strings as given to ``--set``.
    """
    if isinstance(source, Scenario):
        tree, origin = source.model_dump(), source.name
    else:
        path = find_scenario("baseline" if source is None else source)
        tree, origin = _load_tree(path), str(path)
    changed = []
    if overrides:
        items = overrides.items() if isinstance(overrides, Mapping) else (parse_assignment(text) for text in overrides)
        for key, value in items:
            _assign(tree, key, value, "--set" if not isinstance(overrides, Mapping) else origin)
            changed += [] if isinstance(overrides, Mapping) else [key.replace("__", ".")]
    if not isinstance(source, Scenario) and isinstance(tree.get("name"), str):
        where = "--set" if "name" in changed else origin  # the name makes the run folder (runs/<name>_...)
        safe_name(tree["name"], f"{where}: name")
    return build_scenario(tree, origin, changed)


def default_folder(scenario: Scenario, seed: int) -> Path:
    """``runs/<scenario>_<time>_s<seed>``, relative to the working folder (as a sweep's ``runs/<sweep>``)."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return Path("runs") / f"{safe_name(scenario.name, 'scenario name')}_{stamp}_s{seed}"


def prepare(
    scenario: str | Path | Scenario = "baseline",
    *,
    seed: int | None = None,
    end: str | None = None,
    overrides: Mapping[str, Any] | Iterable[str] | None = None,
) -> Scenario:
    """Load a scenario and apply ``--set`` style overrides, then ``--end`` and ``--seed``.

    ``--end`` is the last month simulated: it must be a real month (``YYYY-MM``) from the start on;
    the scenario's interventions after it are left out (they would never fire).
    """
    loaded = load_scenario(scenario, overrides)
    if end is not None:
        month = strict_month(end, "--end")
        if months_between(loaded.run.start, month) < 0:
            raise ScenarioError(f"--end {end}: before the scenario's start ({loaded.run.start})")
        tree = loaded.model_dump()
        tree["run"]["end"] = month
        tree["interventions"] = [i for i in tree["interventions"] if month_index(i["date"]) <= month_index(month)]
        loaded = build_scenario(tree, f"--end {end}")
    if seed is not None:
        tree = loaded.model_dump()
        tree["run"]["seed"] = seed
        loaded = build_scenario(tree, "--seed")
    return loaded
