"""Generated parts of the documentation (kept in sync by a test).

uv run python -m magnetdiplomacy.docgen      # rewrite the parameter table in docs/ODD.md
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from .data import calibration_rows
from .parameters import iter_parameters

START, END = "<!-- parameters:start -->", "<!-- parameters:end -->"
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


def render(text: str) -> str:
    """``text`` with the block between the parameter markers replaced by the current table."""
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    return f"{head}{START}\n{parameter_table()}\n{END}{tail}"


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
