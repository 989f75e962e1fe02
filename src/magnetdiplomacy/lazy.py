"""Lazy public names for packages (PEP 562), so importing a package stays light.

A package lists its public names and the submodule that defines each; the first look-up imports
that submodule and caches the value in the package. The command line relies on this: ``--help``,
``scenarios`` and ``describe`` must not pay for Mesa, pandas and numpy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from importlib import import_module
from typing import Any


def lazy_exports(
    package: str, names: dict[str, str], public: Iterable[str], special: dict[str, Callable[[], Any]] | None = None
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Return the ``__getattr__`` and ``__dir__`` of ``package``: ``names`` maps each public name to
    the submodule (relative to the package) that defines it; ``special`` maps names to functions
    that compute their value. Values are cached in the package's namespace on first use."""
    namespace = vars(import_module(package))
    shown = sorted(set(public))

    def __getattr__(name: str) -> Any:
        if special and name in special:
            value = special[name]()
        elif name in names:
            value = getattr(import_module(f".{names[name]}", package), name)
        else:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        namespace[name] = value  # cache: later look-ups skip __getattr__
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(shown))

    return __getattr__, __dir__
