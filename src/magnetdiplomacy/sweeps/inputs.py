"""What enters a sweep before any work starts: the sweep file's text, the sweep's name and the
output folders of ``sweep``, ``analyze`` and ``validate``.

Each check raises a :class:`SweepError` with one line naming the file, key or path and what is
allowed, and writes nothing. This module is light (no numpy, pandas or model): the commands run
these checks before they load the heavy machinery.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from pydantic import ValidationError

from ..scenario import ScenarioError, parse_yaml_mapping, read_text
from .schema import SweepError

# One folder name under runs/: no separators, not '.', '..' or hidden, short enough for any file system.
_NAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}$")
# Where results never go: the kernel's and the devices' pseudo file systems.
SYSTEM_FOLDERS = (Path("/proc"), Path("/sys"), Path("/dev"))
NAME_MAX, PATH_MAX = 255, 4000


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


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except OSError:
        return False


def check_output_folder(folder: Path, option: str = "--out") -> Path:
    """Refuse an output folder that could not be written (a system folder, a file, a path under a
    file, a name too long, no permission) before any work starts; create nothing. Returns ``folder``."""
    where = f"{option} {folder}" if option else str(folder)
    text = str(folder)
    if "\x00" in text or "\n" in text or "\r" in text:
        raise SweepError(f"{option or 'folder'} {shown(text)}: a path cannot hold a NUL or line-break character")
    full = Path(os.path.abspath(folder))
    if len(os.fsencode(str(full))) > PATH_MAX:
        raise SweepError(f"{option or 'folder'}: path too long ({len(text):,} characters)")
    for part in full.parts:
        if len(os.fsencode(part)) > NAME_MAX:
            raise SweepError(f"{option or 'folder'}: the name {shown(part, 30)} is longer than {NAME_MAX} bytes")
    try:
        resolved = full.resolve()
    except (OSError, RuntimeError) as err:
        raise SweepError(f"{where}: cannot be resolved ({err})") from None
    for root in SYSTEM_FOLDERS:
        if any(p == root or root in p.parents for p in (full, resolved)):
            raise SweepError(f"{where}: {root} is a system folder, not a place for results")
    if _exists(resolved):
        if not resolved.is_dir():
            raise SweepError(f"{where}: exists and is not a folder")
        if not os.access(resolved, os.W_OK | os.X_OK):
            raise SweepError(f"{where}: the folder is not writable")
        return folder
    parent = resolved.parent
    while not _exists(parent) and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise SweepError(f"{where}: {parent} is a file, not a folder")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise SweepError(f"{where}: cannot create it ({parent} is not writable)")
    return folder
