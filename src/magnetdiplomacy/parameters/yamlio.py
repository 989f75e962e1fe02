"""Reading YAML strictly: the loader every scenario, sweep and settings file goes through.

:class:`YamlLoader` is PyYAML's ``SafeLoader`` (no Python objects are ever built) with YAML 1.2's
booleans and three refusals a plain ``safe_load`` does not make: a key given twice in one mapping
(``safe_load`` keeps the last), an impossible date such as ``2021-02-31`` (``safe_load`` raises a
bare ``ValueError``), and a document nested deeper than :data:`MAX_DEPTH` levels or growing past
:data:`MAX_VALUES` values once its aliases are expanded (the "billion laughs"). Every refusal is a
``yaml.YAMLError`` with a line number, so callers that catch YAML errors report them as such.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .inputs import ScenarioError

MAX_DEPTH = 32  # a scenario is about six levels deep
MAX_VALUES = 100_000  # a scenario holds about a thousand


class YamlShapeError(yaml.MarkedYAMLError):
    """A document too deeply nested, too large once aliases are expanded, or with a duplicate key."""


class YamlLoader(yaml.SafeLoader):
    """``safe_load`` with YAML 1.2's booleans: only true and false are booleans, so an action's
    ``on:`` switch (``params: {on: false}``) and words such as yes, no and off stay strings."""

    def construct_yaml_timestamp(self, node: ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as err:
            raise ConstructorError(None, None, f"'{node.value}' is not a real date ({err})", node.start_mark) from None


YamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
YamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
YamlLoader.add_constructor("tag:yaml.org,2002:timestamp", YamlLoader.construct_yaml_timestamp)


def load_yaml(text: str) -> Any:
    """Parse YAML text safely and strictly (see :class:`YamlLoader` and the module's notes)."""
    loader = YamlLoader(text)
    try:
        try:
            node = loader.get_single_node()
        except RecursionError:
            raise YamlShapeError(problem=f"nested too deeply (more than {MAX_DEPTH} levels)") from None
        if node is None:
            return None
        check_nodes(node)
        try:
            return loader.construct_document(node)
        except (ValueError, TypeError, OverflowError) as err:  # e.g. !!float abc
            raise YamlShapeError(problem=f"cannot read a value ({err})") from None
    finally:
        loader.dispose()


def _children(node: Node, path: str) -> list[tuple[Node, str]]:
    if isinstance(node, MappingNode):
        return [(k, path) for k, _ in node.value] + [
            (v, f"{path}.{k.value}" if path and isinstance(k, ScalarNode) else str(getattr(k, "value", "?")))
            for k, v in node.value
        ]
    if isinstance(node, SequenceNode):
        return [(item, f"{path}[{i}]") for i, item in enumerate(node.value)]
    return []


def _check_keys(node: MappingNode, path: str) -> None:
    seen: dict[tuple[str, str], Any] = {}
    for key, _ in node.value:
        if not isinstance(key, ScalarNode) or key.tag == "tag:yaml.org,2002:merge":
            continue
        if (key.tag, key.value) in seen:
            first = seen[(key.tag, key.value)]
            where = f"{path}.{key.value}" if path else key.value
            problem = f"duplicate key '{where}' (first at line {first.line + 1}); give each key once"
            raise YamlShapeError(problem=problem, problem_mark=key.start_mark)
        seen[(key.tag, key.value)] = key.start_mark


def check_nodes(root: Node) -> None:
    """Refuse duplicate keys, nesting deeper than :data:`MAX_DEPTH` and more than
    :data:`MAX_VALUES` values once aliases are expanded. Each node is visited once (aliases share
    nodes), so a 'billion laughs' document is measured, not expanded."""
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[Node, str, bool]] = [(root, "", False)]
    while stack:
        node, path, done = stack.pop()
        key = id(node)
        if done:
            children = [child for child, _ in _children(node, path)]
            size[key] = 1 + sum(size[id(child)] for child in children)
            depth[key] = 1 + max((depth[id(child)] for child in children), default=0)
            open_nodes.discard(key)
            if depth[key] > MAX_DEPTH:
                problem = f"nested too deeply (more than {MAX_DEPTH} levels)"
                raise YamlShapeError(problem=problem, problem_mark=node.start_mark)
            if size[key] > MAX_VALUES:
                problem = f"more than {MAX_VALUES:,} values once its aliases are expanded"
                raise YamlShapeError(problem=problem, problem_mark=node.start_mark)
            continue
        if key in size:
            continue
        if key in open_nodes:
            raise YamlShapeError(problem="an alias refers to itself (recursive aliases)", problem_mark=node.start_mark)
        open_nodes.add(key)
        if isinstance(node, MappingNode):
            _check_keys(node, path)
        stack.append((node, path, True))
        stack += [(child, child_path, False) for child, child_path in _children(node, path) if id(child) not in size]


def parse_yaml_mapping(text: str, path: Path | str, what: str) -> dict:
    """Parse YAML text (:func:`load_yaml`) that must hold a mapping; an empty document is refused."""
    try:
        data = load_yaml(text) if text.strip() else None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        if isinstance(err, yaml.reader.ReaderError):  # a character YAML does not allow: no mark, a position
            where = f"line {text[: err.position].count(chr(10)) + 1}: "
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise ScenarioError(f"{path}: malformed YAML: {where}{problem}") from None
    if data is None:
        raise ScenarioError(f"{path}: empty {what} (it sets nothing)")
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}: a {what} must be a mapping of keys to values, not {type(data).__name__}")
    return data
