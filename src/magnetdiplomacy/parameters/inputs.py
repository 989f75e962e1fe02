"""Checks of what enters from outside, made before any work starts: text files and their encodings,
months, names that become folders, output folders and the staging folders a write leaves behind.

Every refusal is a :class:`ScenarioError` whose message is one line naming the file, key or value
at fault and what is allowed. Only the standard library is used, so the light commands stay light.
"""

from __future__ import annotations

import calendar
import codecs
import hashlib
import os
import re
import secrets
import shutil
import socket
import time
from pathlib import Path


class ScenarioError(ValueError):
    """A scenario file, option or path that cannot be used; the message is one line for the user."""


# --------------------------------------------------------------------------------------------
# text files

MAX_FILE_BYTES = 5_000_000  # a scenario file is a few kB
MAX_PATH_BYTES = 4000
MAX_NAME_BYTES = 200  # leaves room for the staging folder's prefix and suffix under the usual 255
# YAML's own encodings: UTF-8, and UTF-16 or UTF-32 with a byte-order mark (UTF-32 is tested first:
# its little-endian mark begins with UTF-16's)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
    (codecs.BOM_UTF8, "utf-8-sig"),
)


def decode_text(data: bytes, path: Path | str) -> str:
    """A file's bytes as text: UTF-8, or UTF-16/UTF-32 with a byte-order mark; anything else
    (Latin-1, UTF-16 without a mark, binary) is refused naming the file and where it went wrong."""
    encoding = next((name for bom, name in _BOMS if data.startswith(bom)), "utf-8")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as err:
        if b"\x00" in data:
            raise ScenarioError(f"{path}: not a text file (binary, or UTF-16 without a byte-order mark)") from None
        line = data[: err.start].count(b"\n") + 1
        raise ScenarioError(
            f"{path}: line {line}: byte 0x{data[err.start]:02x} is not UTF-8 (Latin-1 or Windows-1252?); "
            "save the file as UTF-8"
        ) from None
    if "\x00" in text:
        raise ScenarioError(f"{path}: not a text file (it holds NUL bytes)")
    return text


def read_text_file(path: Path, what: str = "scenario file") -> str:
    """The text of a regular file of at most :data:`MAX_FILE_BYTES` (see :func:`decode_text`)."""
    check_path_length(path, what)
    try:
        if not path.is_file():
            raise ScenarioError(f"{path}: no such {what}" + (" (it is a folder)" if path.is_dir() else ""))
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as err:
        raise ScenarioError(f"{path}: cannot read ({err.strerror or err})") from None
    if len(data) > MAX_FILE_BYTES:
        raise ScenarioError(f"{path}: larger than {MAX_FILE_BYTES // 1_000_000} MB; a {what} is a few kB")
    return decode_text(data, path)


def check_path_length(path: Path | str, what: str) -> None:
    """Refuse a path the operating system would refuse as too long (or holding a NUL byte)."""
    text = str(path)
    if "\x00" in text:
        raise ScenarioError(f"{what} {text!r}: holds a NUL byte")
    encoded = os.fsencode(text)
    if len(encoded) > MAX_PATH_BYTES:
        raise ScenarioError(
            f"{what} {text[:40]}...: path too long ({len(encoded):,} bytes; at most {MAX_PATH_BYTES:,})"
        )
    for part in Path(text).parts:
        if len(os.fsencode(part)) > 255:
            raise ScenarioError(f"{what} {part[:40]}...: name too long ({len(os.fsencode(part))} bytes; at most 255)")


# --------------------------------------------------------------------------------------------
# months

_MONTH = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")
FIRST_YEAR, LAST_YEAR = 1990, 2100


def strict_month(text: str, what: str) -> str:
    """``YYYY-MM`` (or a real day ``YYYY-MM-DD``) between 1990 and 2100, normalised to ``YYYY-MM``.
    A bare year is refused: ``--end 2021`` might mean January or December."""
    match = _MONTH.match(str(text).strip())
    if not match:
        raise ScenarioError(f"{what} {text}: not a month; give YYYY-MM (e.g. 2030-12)")
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        raise ScenarioError(f"{what} {text}: month {month} is outside 1-12; give YYYY-MM")
    if match.group(3) is not None:
        days = calendar.monthrange(year, month)[1]
        if not 1 <= int(match.group(3)) <= days:
            raise ScenarioError(f"{what} {text}: not a real date ({calendar.month_name[month]} {year} has {days} days)")
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ScenarioError(f"{what} {text}: year {year} is outside {FIRST_YEAR}-{LAST_YEAR}")
    return f"{year:04d}-{month:02d}"


def real_day(text: str) -> None:
    """Raise ``ValueError`` if ``text`` is ``YYYY-MM-DD`` with a day its month does not have."""
    match = _MONTH.match(str(text).strip())
    if match and match.group(3) is not None and 1 <= int(match.group(2)) <= 12:
        year, month, day = (int(g) for g in match.groups())
        days = calendar.monthrange(year, month)[1]
        if not 1 <= day <= days:
            raise ValueError(f"'{text}' is not a real date ({calendar.month_name[month]} {year} has {days} days)")


# --------------------------------------------------------------------------------------------
# names that become folders

_SAFE_NAME = re.compile(r"^\w[\w .+-]*$")


def safe_name(name: object, what: str) -> str:
    """A name that is one folder name inside ``runs/``: letters, digits, ``_``, ``-``, ``+``,
    ``.`` and spaces, starting with a letter, digit or ``_``, at most 100 characters."""
    text = str(name)
    if not isinstance(name, str) or not _SAFE_NAME.match(text) or len(text) > 100 or text.endswith((" ", ".")):
        raise ScenarioError(
            f"{what} {text[:60]!r}: not a safe folder name (letters, digits, _ - + . and spaces, "
            "starting with a letter, digit or _; at most 100 characters; no / or ..)"
        )
    return text


# --------------------------------------------------------------------------------------------
# output folders

SYSTEM_FOLDERS = (Path("/proc"), Path("/sys"), Path("/dev"))


def check_output_folder(folder: Path, option: str = "--out", existing_ok: bool = False) -> Path:
    """Refuse an output folder before any work starts: empty or ``.``/``..``, too long, in a
    system folder (/proc, /sys, /dev), an existing file, a folder that is not empty (unless
    ``existing_ok``: a sweep resumes into its folder), under a file, or where nothing can be
    written. ``option`` names where the folder came from ("" for a default). Staging folders that
    killed writes left beside it are removed (:func:`remove_stale_staging`); nothing is created.
    Returns the folder."""
    text = str(folder)
    label = option or "folder"
    where = f"{option} {text}" if option else text
    if not text.strip() or Path(text).name in ("", ".", ".."):
        raise ScenarioError(f"{label} {text!r}: name a new folder (not '', '.', '..' or '/')")
    if "\n" in text or "\r" in text:
        raise ScenarioError(f"{label} {text[:40]!r}: a path cannot hold a line break")
    check_path_length(folder, label)
    if len(os.fsencode(Path(text).name)) > MAX_NAME_BYTES:
        raise ScenarioError(f"{label} {Path(text).name[:40]}...: name too long (at most {MAX_NAME_BYTES} bytes)")
    try:
        full = Path(os.path.abspath(folder))
        resolved = Path(os.path.realpath(folder))
    except (OSError, RuntimeError) as err:
        raise ScenarioError(f"{where}: cannot be resolved ({getattr(err, 'strerror', None) or err})") from None
    for system in SYSTEM_FOLDERS:
        if any(path == system or system in path.parents for path in (full, resolved)):
            raise ScenarioError(f"{where}: inside {system}, a system folder; choose another folder")
    try:
        _check_existing(resolved, where, option, existing_ok)
    except OSError as err:
        raise ScenarioError(f"{where}: {err.strerror or err}") from None
    remove_stale_staging(resolved.parent)
    return folder


def _check_existing(resolved: Path, where: str, option: str, existing_ok: bool) -> None:
    if resolved.exists():
        if not resolved.is_dir():
            raise ScenarioError(f"{where}: exists and is not a folder")
        if not existing_ok and any(resolved.iterdir()):
            raise ScenarioError(f"{where}: output folder exists and is not empty (choose another {option or 'folder'})")
    for parent in (resolved, *resolved.parents):
        if not parent.exists():
            continue
        if not parent.is_dir():
            raise ScenarioError(f"{where}: {parent} is a file, so no folder can be made in it")
        if not os.access(parent, os.W_OK | os.X_OK):
            raise ScenarioError(f"{where}: cannot write in {parent} (permission denied)")
        if os.statvfs(parent).f_flag & os.ST_RDONLY:
            raise ScenarioError(f"{where}: {parent} is on a read-only file system")
        return


# --------------------------------------------------------------------------------------------
# staging folders: a folder is written under a hidden sibling, then renamed into place

_STAGING = re.compile(r"^\..+\.staging-(\d+)-([0-9a-f]{8})-[0-9a-f]{6}$")
STALE_AFTER_S = 6 * 3600  # a staging folder lives for the seconds a write takes
# This machine, in staging folders' names: a process id says something only on the machine it ran on.
HOST = hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]


def make_staging(folder: Path) -> Path:
    """Create the hidden staging sibling of ``folder``: ``.<name>.staging-<pid>-<host>-<random>``."""
    staging = folder.parent / f".{folder.name}.staging-{os.getpid()}-{HOST}-{secrets.token_hex(3)}"
    staging.mkdir(mode=0o755)
    return staging


def remove_stale_staging(parent: Path) -> list[Path]:
    """Remove staging folders in ``parent`` left by processes of this machine that no longer run
    (killed while writing), or older than :data:`STALE_AFTER_S` (any machine's); returns what was removed."""
    removed: list[Path] = []
    try:
        entries = list(parent.iterdir()) if parent.is_dir() else []
    except OSError:
        return removed
    for entry in entries:
        match = _STAGING.match(entry.name)
        if not match or entry.is_symlink() or not entry.is_dir():
            continue
        pid, here = int(match.group(1)), match.group(2) == HOST
        try:
            old = time.time() - entry.stat().st_mtime > STALE_AFTER_S
        except OSError:
            continue
        if old or (here and pid != os.getpid() and not _alive(pid)):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process, or no permission to ask: leave its folder alone
        return True
    return True
