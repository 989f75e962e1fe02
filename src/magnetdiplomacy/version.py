"""The package's version, read from the installed metadata (only when asked: it takes ~50 ms)."""

from __future__ import annotations

import functools


@functools.cache
def package_version() -> str:
    """The installed version of magnetdiplomacy (``0.0.0`` when run from a bare source tree)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("magnetdiplomacy")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
        return "0.0.0"
