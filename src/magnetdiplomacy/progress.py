"""Rich progress bars shared by the command-line tools (sweeps and calibration rounds)."""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text


class RateColumn(ProgressColumn):
    """Runs per second of a sweep (rich estimates it over the last 30 s)."""

    def render(self, task):
        speed = task.finished_speed or task.speed
        return Text(f"{speed:.1f} runs/s" if speed else "- runs/s", style="progress.data.speed")


class SweepBar:
    """Progress bar with rate and ETA for :func:`magnetdiplomacy.sweeps.run_sweep` (its ``progress``)."""

    def __init__(self, console: Console | None = None, transient: bool = False) -> None:
        columns = (
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("runs"),
            RateColumn(),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
        )
        self.bar = Progress(*columns, console=console, transient=transient)
        self.task: TaskID | None = None

    def start(self, total: int, done: int, description: str) -> None:
        self.bar.start()
        self.task = self.bar.add_task(description, total=total, completed=done)

    def advance(self, runs: int) -> None:
        if self.task is not None:
            self.bar.advance(self.task, runs)

    def stop(self) -> None:
        if self.task is not None:
            self.bar.stop()
