"""What enters a sweep before any work starts: the sweep file's text, the sweep's name and the
output folders of ``sweep``, ``analyze`` and ``validate``.

Each check raises a :class:`SweepError` with one line naming the file, key or path and what is
allowed, and writes nothing. This module is light (no numpy, pandas or model): the commands run
these checks before they load the heavy machinery.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import ValidationError

from ..parameters.inputs import check_output_folder as check_folder
from ..scenario import ScenarioError, parse_yaml_mapping, read_text
from .schema import SweepError

# One folder name under runs/: no separators, not '.', '..' or hidden, short enough for any file system.
_NAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$")


def shown(value: object, width: int = 60) -> str:
    """``value`` quoted on one line, shortened to about ``width`` characters."""
    text = repr(value)
    return text if len(text) <= width else text[: width - 5] + "...'"


def check_sweep_name(name: str, origin: str, key: str = "name") -> str:
    """A sweep's name, which becomes its folder ``runs/<name>``: a single, safe folder name."""
    if not _NAME_RE.match(name) or name.endswith("."):
        raise SweepError(
            f"{origin}: {key}: {shown(name)} is not a single folder name under runs/ (letters, digits, '_', '-' "
            "and '.', not starting with '.' or '-', at most 100 characters)"
        )
    return name


def describe_validation(err: ValidationError, origin: str) -> str:
    """``origin: key.path: problem (got value)`` for the first error of a pydantic validation."""
    first = err.errors()[0]
    parts: list[str] = []
    for item in first["loc"]:
        if isinstance(item, int):
            parts[-1:] = [f"{parts[-1]}[{item}]"] if parts else [f"[{item}]"]
        else:
            parts.append(str(item))
    key = ".".join(parts) or "sweep"
    kind, got, message = first["type"], first.get("input"), first["msg"]
    if kind == "extra_forbidden":
        return f"{origin}: {key}: unknown key"
    if kind == "missing":
        return f"{origin}: {key}: required"
    message = message.removeprefix("Value error, ")
    value = f" (got {shown(got)})" if got is not None and not isinstance(got, dict | list) else ""
    return f"{origin}: {key}: {message}{value}"


def read_yaml_file(path: Path, what: str = "sweep file") -> tuple[dict, str]:
    """The mapping and the text of a YAML file, read with the scenario files' reader (safe loading,
    YAML 1.2 booleans); a file that is missing, not UTF-8 text, malformed or empty is an error."""
    try:
        if not path.is_file():
            raise SweepError(f"{path}: no such {what}")
        text = read_text(path, what)
        data = parse_yaml_mapping(text, path, what)
    except ScenarioError as err:  # the same one-line message, as the sweep's own error type
        raise SweepError(str(err)) from None
    except UnicodeDecodeError as err:
        raise SweepError(
            f"{path}: not UTF-8 text (byte 0x{err.object[err.start]:02x} at offset {err.start}); save the {what} as "
            "UTF-8"
        ) from None
    except RecursionError:
        raise SweepError(f"{path}: nested too deeply to be a {what}") from None
    except OSError as err:
        raise SweepError(f"{path}: cannot read ({err.strerror or err})") from None
    if not data:
        raise SweepError(f"{path}: a {what} must be a mapping of keys to values, not empty")
    return data, text


def check_output_folder(folder: Path, option: str = "--out") -> Path:
    """The output folder of ``sweep``, ``analyze``, ``validate`` or ``calibrate``, checked before any
    work starts (:func:`magnetdiplomacy.parameters.inputs.check_output_folder`); an existing folder
    is allowed, since these commands resume into or rewrite their own folders. Returns ``folder``."""
    try:
        return check_folder(folder, option, existing_ok=True)
    except SweepError:
        raise
    except ScenarioError as err:  # the same one-line message, as the sweep's own error type
        raise SweepError(str(err)) from None
