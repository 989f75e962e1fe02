"""The pieces of a seat's menu: decisions, each a short list of choices, one of which keeps things as
they are."""

from __future__ import annotations

from dataclasses import dataclass, field

KEEP = "keep"


class MenuError(ValueError):
    """A decision or choice that is not on the seat's menu this quarter."""


@dataclass(frozen=True)
class Choice:
    key: str
    label: str
    action: str | None = None  # None: no change
    params: dict = field(default_factory=dict)

    @property
    def is_change(self) -> bool:
        return self.action is not None

    @property
    def change(self) -> str:
        """The action of a choice that changes something (the choices in a plan other than "keep")."""
        if self.action is None:
            raise MenuError(f"choice '{self.key}' changes nothing")
        return self.action


@dataclass(frozen=True)
class Decision:
    key: str
    title: str
    status: str  # how things stand now
    help: str
    choices: tuple[Choice, ...]

    def choice(self, key: str) -> Choice:
        for choice in self.choices:
            if choice.key == key:
                return choice
        raise MenuError(f"'{key}' is not a choice for '{self.title}' this quarter")


def pct(x: float) -> str:
    return f"{x:.0%}"


def keep(label: str = "No change") -> Choice:
    return Choice(KEEP, label)
