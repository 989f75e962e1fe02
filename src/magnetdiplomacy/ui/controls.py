"""Side-panel controls: scenario, seed, Reset / Step / Play / Pause, speed and the policy levers."""

from __future__ import annotations

import threading
import time

import solara

from .levers import Lever, levers, seed_spec
from .session import scenario_names
from .state import AppState


@solara.component
def ScenarioPicker(state: AppState):
    _ = state.generation.value  # re-render when a new model is built
    session = state.session
    names = solara.use_memo(scenario_names, [])

    def choose(name):
        if name and name != session.scenario_name:
            state.reset(scenario=name)

    solara.Select("Scenario", values=names, value=session.scenario_name, on_value=choose, classes=["md-scenario"])
    solara.HTML(
        tag="div",
        unsafe_innerHTML=_escape(
            session.scenario.description or "The baseline: history replayed to March 2026, then the agents decide."
        ),
        classes=["md-help"],
    )


def _escape(text: str) -> str:
    from html import escape

    return escape(text)


@solara.component
def SeedInput(state: AppState):
    spec = seed_spec()

    def set_seed(value):
        if value is not None:
            state.seed.value = int(min(max(value, spec.lo or 0), spec.hi or 2**31 - 1))

    solara.InputInt("Seed", value=state.seed.value, on_value=set_seed, classes=["md-seed"], dense=True)
    solara.HTML(
        tag="div",
        unsafe_innerHTML=f"{_escape(spec.description)}; same seed, same run. Applies on Reset.",
        classes=["md-help"],
    )


@solara.component
def RunControls(state: AppState):
    """Reset, Step, Play, Pause and the speed of Play."""
    playing = state.playing.value
    _ = state.generation.value  # re-render when a new model is built
    finished = state.finished
    session = state.session

    def loop(cancel: threading.Event):
        # Runs in a background thread while Play is on; Pause (or the end of the run) stops it.
        while not cancel.is_set() and state.playing.value:
            started = time.perf_counter()
            state.step(1)
            if not session.running:
                break
            wait = 1.0 / max(0.5, state.speed.value) - (time.perf_counter() - started)
            if wait > 0:
                cancel.wait(wait)

    solara.use_thread(loop, dependencies=[playing], intrusive_cancel=False)
    done = finished.value or not session.running
    _run_buttons(state, playing, done)
    solara.SliderFloat("Speed (months per second)", value=state.speed, min=1, max=24, step=1, thumb_label=True)
    if done:
        solara.HTML(
            tag="div",
            unsafe_innerHTML="The run has reached its last month. Press Reset to start again.",
            classes=["md-help"],
        )


def _run_buttons(state: AppState, playing: bool, done: bool) -> None:
    """Reset, Step, Play and Pause in a row."""
    session = state.session

    def do_step():
        state.step(1)

    def do_reset():
        state.reset()

    def do_play():
        if session.running:
            state.playing.value = True

    def do_pause():
        state.playing.value = False

    with solara.Row(gap="6px", style={"flex-wrap": "wrap"}, classes=["md-run-buttons"]):
        solara.Button(
            "Reset",
            icon_name="mdi-restore",
            on_click=do_reset,
            color="primary",
            outlined=True,
            dense=True,
            classes=["md-reset"],
        )
        solara.Button(
            "Step",
            icon_name="mdi-step-forward",
            on_click=do_step,
            disabled=playing or done,
            color="primary",
            dense=True,
            classes=["md-step"],
        )
        solara.Button(
            "Play",
            icon_name="mdi-play",
            on_click=do_play,
            disabled=playing or done,
            color="primary",
            dense=True,
            classes=["md-play"],
        )
        solara.Button(
            "Pause",
            icon_name="mdi-pause",
            on_click=do_pause,
            disabled=not playing,
            color="primary",
            dense=True,
            classes=["md-pause"],
        )


@solara.component
def LeverInput(lever: Lever, value, on_value):
    if lever.kind == "bool":
        solara.Switch(label=lever.name, value=bool(value), on_value=on_value)
    elif lever.kind == "int":
        lo, hi = lever.bounds
        solara.SliderInt(
            lever.name,
            value=int(value),
            min=int(lo),
            max=int(hi),
            step=int(lever.step),
            on_value=on_value,
            thumb_label=True,
        )
    else:
        lo, hi = lever.bounds
        solara.SliderFloat(
            lever.name,
            value=float(value),
            min=float(lo),
            max=float(hi),
            step=lever.step,
            on_value=on_value,
            thumb_label=True,
        )
    solara.HTML(
        tag="div",
        unsafe_innerHTML=f"<b>{_escape(lever.format(value))}</b> · {_escape(lever.help)}",
        classes=["md-help"],
        attributes={"data-path": lever.path},
    )


@solara.component
def LeverPanel(state: AppState):
    """Policy levers; changes apply on Reset (mid-run changes are live interventions)."""
    _ = state.generation.value  # re-render when a new model is built
    values = state.levers.value
    items = solara.use_memo(levers, [])

    def setter(path):
        def set_value(value):
            state.levers.value = {**state.levers.value, path: value}

        return set_value

    pending = state.pending()
    if pending:
        solara.HTML(
            tag="div", unsafe_innerHTML="Changed values apply when you press <b>Reset</b>.", classes=["md-pending"]
        )
    for lever in items:
        LeverInput(lever, values.get(lever.path, lever.spec.default), setter(lever.path))
