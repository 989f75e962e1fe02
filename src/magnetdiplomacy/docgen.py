"""Generated parts of the documentation (kept in sync by a test).

uv run python -m magnetdiplomacy.docgen      # rewrite the parameter table in docs/ODD.md
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from .data import calibration_rows
from .outputs import OUTPUTS
from .parameters import iter_parameters
from .targets import TARGETS

START, END = "<!-- parameters:start -->", "<!-- parameters:end -->"
OUTPUTS_START, OUTPUTS_END = "<!-- outputs:start -->", "<!-- outputs:end -->"
TARGETS_START, TARGETS_END = "<!-- targets:start -->", "<!-- targets:end -->"
ODD = Path(__file__).resolve().parents[2] / "docs" / "ODD.md"


def _source_text(source: str) -> str:
    """The source field with calibration row ids expanded to their quantity."""
    rows = calibration_rows()

    def expand(match: re.Match) -> str:
        row = rows.get(match.group(0))
        return f"{match.group(0)} ({row['quantity']}, {row['entity']})" if row else match.group(0)

    return re.sub(r"C\d{3}", expand, source)


def parameter_table() -> str:
    """Markdown table of every parameter: path, default, range, unit, flag, source, description."""
    lines = ["| parameter | default | range | unit | flag | source | description |", "|---|---|---|---|---|---|---|"]
    for spec in iter_parameters():
        bounds = f"{spec.lo:g} - {spec.hi:g}" if spec.lo is not None and spec.hi is not None else ""
        cells = [
            f"`{spec.path}`",
            str(spec.default),
            bounds,
            spec.unit,
            spec.flag,
            _source_text(spec.source),
            spec.description,
        ]
        lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    return "\n".join(lines)


def output_table() -> str:
    """Markdown table of every output column: name, label, unit, how a year adds up, contract."""
    lines = ["| column | meaning | unit | a year is | contract |", "|---|---|---|---|---|"]
    for item in OUTPUTS.values():
        cells = [f"`{item.name}`", item.label, item.unit, item.year_label, "yes" if item.contract else ""]
        lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    return "\n".join(lines)


def target_table() -> str:
    """Markdown table of Malaysia's scorecard: target, goal, the column it reads, source and flag."""
    lines = ["| target | goal | column | a year is | source | flag |", "|---|---|---|---|---|---|"]
    for target in TARGETS:
        year = "every month within the band" if target.sense == "within" else OUTPUTS[target.column].year_label
        cells = [target.label, target.goal_text, f"`{target.column}`", year, _source_text(target.source), target.flag]
        lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    return "\n".join(lines)


def _replace(text: str, start: str, end: str, table: str) -> str:
    if start not in text:
        return text
    head, _, rest = text.partition(start)
    _, _, tail = rest.partition(end)
    return f"{head}{start}\n{table}\n{end}{tail}"


def render(text: str) -> str:
    """``text`` with the blocks between the parameter, output and target markers replaced by the current tables."""
    text = _replace(_replace(text, START, END, parameter_table()), OUTPUTS_START, OUTPUTS_END, output_table())
    return _replace(text, TARGETS_START, TARGETS_END, target_table())


def main() -> None:
    text = ODD.read_text(encoding="utf-8")
    updated = render(text)
    if updated != text:
        ODD.write_text(updated, encoding="utf-8")
        print(f"updated {ODD}")
    else:
        print(f"{ODD} is current")
    sys.exit(0)


if __name__ == "__main__":
    main()
