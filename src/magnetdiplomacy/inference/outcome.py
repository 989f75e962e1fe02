"""Outcome expressions for scenario discovery: which runs count as "the outcome happened".

The grammar is deliberately tiny and is parsed here, never handed to Python's ``eval``::

    expression := clause (("and" | "or") clause)*
    clause     := COLUMN OP NUMBER
    OP         := "<" | "<=" | ">" | ">=" | "==" | "!="

``and`` binds tighter than ``or`` (``a < 1 or b > 2 and c < 3`` is ``a < 1 or (b > 2 and c < 3)``);
there are no parentheses. COLUMN is a scalar outcome of the sweep (letters, digits, ``_`` and
``.``); NUMBER is a finite decimal number (``-0.25``, ``15``, ``1e-3``). A run whose outcome
value is missing (NaN) does not meet a clause. Mistakes raise :class:`ScenarioError` with one
line; this module imports numpy only to evaluate an expression.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..parameters.inputs import ScenarioError

OPERATORS = ("<=", ">=", "==", "!=", "<", ">")
# words of the slug for each operator (folder names cannot hold < or >)
OPERATOR_WORDS = {"<": "lt", "<=": "le", ">": "gt", ">=": "ge", "==": "eq", "!=": "ne"}
_TOKEN = re.compile(
    r"\s*(?:(?P<op><=|>=|==|!=|<|>)"
    r"|(?P<number>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?(?![A-Za-z0-9_.]))"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_.]*))"
)
MAX_LENGTH = 500


@dataclass(frozen=True)
class Clause:
    """``column op value``."""

    column: str
    op: str
    value: float

    def __str__(self) -> str:
        return f"{self.column} {self.op} {self.value:g}"


@dataclass(frozen=True)
class Outcome:
    """A parsed outcome expression: ``any`` of groups, each group ``all`` of its clauses."""

    text: str
    groups: tuple[tuple[Clause, ...], ...]

    @property
    def columns(self) -> list[str]:
        """The columns the expression reads, in order of first use."""
        return list(dict.fromkeys(c.column for group in self.groups for c in group))

    @property
    def slug(self) -> str:
        """A folder name for the expression (``malaysia_alignment_2030_lt_-0.25``)."""
        parts = []
        for i, group in enumerate(self.groups):
            if i:
                parts.append("or")
            for j, c in enumerate(group):
                if j:
                    parts.append("and")
                parts += [c.column, OPERATOR_WORDS[c.op], f"{c.value:g}"]
        return "_".join(parts)[:100].rstrip("._-") or "outcome"

    def __str__(self) -> str:
        return " or ".join(" and ".join(str(c) for c in group) for group in self.groups)

    def evaluate(self, frame: Any) -> Any:
        """A boolean numpy array: for each row of ``frame`` (a DataFrame with the columns), whether
        the outcome holds. NaN meets no clause."""
        import numpy as np

        result = np.zeros(len(frame), dtype=bool)
        for group in self.groups:
            inside = np.ones(len(frame), dtype=bool)
            for c in group:
                values = np.asarray(frame[c.column], dtype=float)
                with np.errstate(invalid="ignore"):
                    inside &= _compare(values, c.op, c.value)
            result |= inside
        return result


def _compare(values: Any, op: str, value: float) -> Any:
    if op == "<":
        return values < value
    if op == "<=":
        return values <= value
    if op == ">":
        return values > value
    if op == ">=":
        return values >= value
    if op == "==":
        return values == value
    return (values != value) & (values == values)  # NaN meets no clause, != included


def _tokens(text: str, where: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            shown = text[pos:].strip()[:20]
            raise ScenarioError(f"{where}: cannot read {shown!r} at character {pos + 1} ({_GRAMMAR})")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    return tokens


_GRAMMAR = "write clauses like 'column < -0.25' joined by 'and' / 'or', operators < <= > >= == !="


def _clause(tokens: list[tuple[str, str]], i: int, where: str, columns: Sequence[str] | None) -> Clause:
    """The clause starting at token ``i``."""
    got = tokens[i : i + 3]
    kinds = [k for k, _ in got]
    if kinds != ["word", "op", "number"] or got[0][1] in ("and", "or"):
        shown = " ".join(v for _, v in got) or "nothing"
        raise ScenarioError(f"{where}: expected 'column OP number', got {shown!r} ({_GRAMMAR})")
    column, op, number = (v for _, v in got)
    if columns is not None and column not in columns:
        raise ScenarioError(f"{where}: unknown column {column!r}; the sweep's scalar outcomes are {', '.join(columns)}")
    value = float(number)
    if not math.isfinite(value):
        raise ScenarioError(f"{where}: {number!r} is not a finite number")
    return Clause(column, op, value)


def parse_outcome(text: str, columns: Sequence[str] | None = None, where: str = "--outcome") -> Outcome:
    """Parse an outcome expression; with ``columns``, every column must be one of them."""
    if not isinstance(text, str) or not text.strip():
        raise ScenarioError(f"{where}: empty; {_GRAMMAR}")
    if len(text) > MAX_LENGTH or "\n" in text or "\x00" in text:
        raise ScenarioError(f"{where}: must be one line of at most {MAX_LENGTH} characters")
    tokens = _tokens(text, where)
    groups: list[tuple[Clause, ...]] = []
    group: list[Clause] = []
    i = 0
    while True:
        group.append(_clause(tokens, i, where, columns))
        i += 3
        if i == len(tokens):
            break
        kind, word = tokens[i]
        if kind != "word" or word not in ("and", "or"):
            raise ScenarioError(f"{where}: expected 'and' or 'or' after {str(group[-1])!r}, got {word!r}")
        if i + 1 == len(tokens):
            raise ScenarioError(f"{where}: nothing after {word!r}")
        if word == "or":
            groups.append(tuple(group))
            group = []
        i += 1
    groups.append(tuple(group))
    return Outcome(text.strip(), tuple(groups))
