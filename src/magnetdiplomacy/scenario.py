"""Scenario files: YAML -> one validated :class:`~magnetdiplomacy.parameters.Scenario`.

A scenario file sets any parameter declared in :mod:`magnetdiplomacy.parameters` (nested keys
mirror the dotted paths) and may list dated ``interventions``. A named scenario says
``extends: baseline`` and overrides only what differs; interventions add to the base's. Overrides
from the command line (``--set china.licence_grant_rate=0.3``) or from keyword arguments apply last.
Every problem becomes a :class:`ScenarioError` with one line naming the file and key path.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from .interventions import ActionError, validate_action
from .parameters import Scenario, parameter_table

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class ScenarioError(ValueError):
    """A scenario file or override that cannot be used; the message is one line for the user."""


def config_dirs() -> list[Path]:
    """Where named scenarios are looked up: ./configs, then the project's configs."""
    dirs = [Path.cwd() / "configs", PROJECT_ROOT / "configs"]
    return [d for i, d in enumerate(dirs) if d.is_dir() and d.resolve() not in {x.resolve() for x in dirs[:i]}]


def find_scenario(name: str | Path) -> Path:
    """Path of a scenario given as a file path or a bare name (``baseline``, ``lynas_no_renewal``)."""
    path = Path(name)
    if path.suffix in (".yaml", ".yml") or path.exists():
        if not path.is_file():
            raise ScenarioError(f"{path}: no such scenario file")
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
    if not path.is_file():
        raise ScenarioError(f"{path}: no such {what}")
    return parse_yaml_mapping(read_text(path), path, what)


def read_text(path: Path) -> str:
    """A file's text; an unreadable file becomes a one-line :class:`ScenarioError`."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError as err:
        raise ScenarioError(f"{path}: cannot read ({err.strerror})") from None


class YamlLoader(yaml.SafeLoader):
    """``safe_load`` with YAML 1.2's booleans: only true and false are booleans, so an action's
    ``on:`` switch (``params: {on: false}``) and words such as yes, no and off stay strings."""


YamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
YamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def load_yaml(text: str) -> Any:
    """Parse YAML text safely, with YAML 1.2 booleans (see :class:`YamlLoader`)."""
    return yaml.load(text, Loader=YamlLoader)  # a SafeLoader subclass: as safe as safe_load


def parse_yaml_mapping(text: str, path: Path, what: str) -> dict:
    """Parse YAML text (safely, :func:`load_yaml`) that must hold a mapping; an empty text gives ``{}``."""
    try:
        data = load_yaml(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise ScenarioError(f"{path}: malformed YAML: {where}{problem}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}: a {what} must be a mapping of keys to values, not {type(data).__name__}")
    return data


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
    parent = data.get("extends")
    if parent:
        if not isinstance(parent, str):
            raise ScenarioError(f"{path}: extends: must be a scenario name or file")
        parent_path = find_scenario(parent) if not (path.parent / parent).is_file() else path.parent / parent
        data = _merge(_load_tree(parent_path, seen + (resolved,)), data)
    return data


def parse_assignment(text: str) -> tuple[str, Any]:
    """``key.path=value`` (the value is read as YAML: numbers, booleans, lists)."""
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ScenarioError(f"--set {text}: expected key.path=value")
    try:
        value = load_yaml(raw) if raw.strip() else ""
    except yaml.YAMLError:
        raise ScenarioError(f"--set {text}: value '{raw}' is not valid YAML") from None
    return key, value


def _assign(tree: dict, dotted: str, value: Any, origin: str) -> None:
    parts = dotted.replace("__", ".").split(".")
    node: Any = Scenario()
    for i, part in enumerate(parts):
        fields = type(node).model_fields if isinstance(node, BaseModel) else {}
        if part not in fields:
            prefix = ".".join(parts[:i]) or "top level"
            raise ScenarioError(f"{origin}: {'.'.join(parts)}: unknown key '{part}' under {prefix}")
        node = getattr(node, part)
    target = tree
    for part in parts[:-1]:
        target = target.setdefault(part, {})
        if not isinstance(target, dict):
            raise ScenarioError(f"{origin}: {'.'.join(parts)}: cannot set inside a non-mapping")
    target[parts[-1]] = value


def _describe_error(err: ValidationError, origin: str) -> str:
    first = err.errors()[0]
    path = ".".join(str(p) for p in first["loc"])
    kind = first["type"]
    got = first.get("input")
    table = parameter_table()
    if kind == "extra_forbidden":
        return f"{origin}: {path}: unknown key (check the spelling; `magnetdiplomacy describe` lists every parameter)"
    if kind in ("greater_than_equal", "less_than_equal") and path in table:
        spec = table[path]
        return f"{origin}: {path}: {got!r} is out of range [{spec.lo:g}, {spec.hi:g}] {spec.unit}"
    message = first["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    shown = f" (got {got!r})" if got is not None and not isinstance(got, dict) and kind != "value_error" else ""
    return f"{origin}: {path or 'scenario'}: {message}{shown}"


def build_scenario(tree: dict, origin: str) -> Scenario:
    """Validate a merged scenario mapping (and its interventions) into a :class:`Scenario`."""
    try:
        scenario = Scenario.model_validate(tree)
    except ValidationError as err:
        raise ScenarioError(_describe_error(err, origin)) from None
    for i, item in enumerate(scenario.interventions):
        try:
            item.set_checked(validate_action(item.action, item.params))
        except ActionError as err:
            raise ScenarioError(f"{origin}: interventions[{i}]: {err}") from None
    return scenario


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
        path = find_scenario(source or "baseline")
        tree, origin = _load_tree(path), str(path)
    if overrides:
        items = overrides.items() if isinstance(overrides, Mapping) else (parse_assignment(text) for text in overrides)
        for key, value in items:
            _assign(tree, key, value, "--set" if not isinstance(overrides, Mapping) else origin)
    return build_scenario(tree, origin)
