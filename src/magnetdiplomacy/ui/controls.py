"""Side-panel controls: scenario, seed, Reset / Step / Play / Pause, Run to a month or to the end,
speed, and the policy levers (live ones act at the next month, structural ones on Reset)."""

from __future__ import annotations

import threading
import time
from html import escape

import solara

from .levers import Lever, panel_levers, seed_spec
from .session import month_name, scenario_names
from .state import AppState, use_live, use_watcher

RUN_TO_DEFAULT = "2030-12"  # the year Malaysia's targets name


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
        unsafe_innerHTML=escape(
            session.scenario.description or "The baseline: history replayed to March 2026, then the agents decide."
        ),
        classes=["md-help"],
    )


@solara.component
def SeedInput(state: AppState):
    spec = seed_spec()

    def set_seed(value):
        if value is not None:
            state.seed.value = int(min(max(value, spec.lo or 0), spec.hi or 2**31 - 1))

    solara.InputInt("Seed", value=state.seed.value, on_value=set_seed, classes=["md-seed"], dense=True)
    solara.HTML(
        tag="div",
        unsafe_innerHTML=f"{escape(spec.description)}; same seed, same run. Applies on Reset.",
        classes=["md-help"],
    )


@solara.component
def RunControls(state: AppState):
    """Reset, Step, Play, Pause, Run to a month, Run to the end, their progress and the speed of Play."""
    playing = state.playing.value
    _ = state.generation.value  # re-render when a new model is built
    session = state.session

    def loop(cancel: threading.Event):
        # Runs in a background thread while Play or Run to is on; Pause (or the end) stops it.
        if not state.playing.value:
            return
        target = state.target.value
        if target is not None:
            state.advance(target[1], cancel)
            return
        while not cancel.is_set() and state.playing.value:
            started = time.perf_counter()
            state.step(1)
            if not session.running:
                break
            wait = 1.0 / max(0.5, state.speed.value) - (time.perf_counter() - started)
            if wait > 0:
                cancel.wait(wait)

    solara.use_thread(loop, dependencies=[playing], intrusive_cancel=False)
    done = state.finished.value or not session.running
    _run_buttons(state, playing, done)
    RunTo(state, playing, done)
    use_live(state, "run-progress", lambda: progress_html(state), ["md-run-progress-box"])
    SliderRow(
        "Speed (months per second)",
        f"{state.speed.value:g} months a second",
        state.speed.value,
        1,
        24,
        1,
        state.speed.set,
        css="md-speed",
    )
    if done:
        solara.HTML(
            tag="div",
            unsafe_innerHTML="The run has reached its last month. Press Reset to start again.",
            classes=["md-help"],
        )


def progress_html(state: AppState) -> str:
    """How far Run to has gone (empty when it is not running)."""
    session = state.session
    target = state.target.value
    if target is None:
        return f"<div class='md-run-progress' data-tick='{session.tick}'></div>"
    start, end = target
    done, total = max(0, session.tick - start), max(1, end - start)
    goal = month_name(session.model.label_of(end - 1))
    return (
        f"<div class='md-run-progress md-running' data-tick='{session.tick}' data-target='{end}'>"
        f"Running to {escape(goal)}: {done} of {total} months"
        f"<div class='md-bar'><div style='width: {100.0 * done / total:.0f}%'></div></div></div>"
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
            state.message.value = ""
            state.playing.value = True

    def do_pause():
        state.playing.value = False

    with solara.Row(gap="6px", style={"flex-wrap": "wrap"}, classes=["md-run-buttons"]):
        _button("Reset", "mdi-restore", do_reset, False, "md-reset", outlined=True)
        _button("Step", "mdi-step-forward", do_step, playing or done, "md-step")
        _button("Play", "mdi-play", do_play, playing or done, "md-play")
        _button("Pause", "mdi-pause", do_pause, not playing, "md-pause")


def _button(label: str, icon: str, on_click, disabled: bool, css: str, outlined: bool = False) -> None:
    solara.Button(
        label,
        icon_name=icon,
        on_click=on_click,
        disabled=disabled,
        color="primary",
        outlined=outlined,
        dense=True,
        classes=[css],
    )


@solara.component
def RunTo(state: AppState, playing: bool, done: bool):
    """Run to a month (typed as YYYY-MM) or to the end of the run; Pause interrupts both."""
    text = solara.use_reactive(RUN_TO_DEFAULT)
    session = state.session

    def run_to():
        try:
            target = session.target_of(text.value)
        except ValueError as err:
            state.message.value = escape(str(err))
            return
        state.run_to(target)

    def run_to_end():
        if session.running:
            state.run_to(session.n_ticks)

    with solara.Row(gap="6px", style={"align-items": "center", "flex-wrap": "wrap"}, classes=["md-run-to-row"]):
        solara.InputText(
            "YYYY-MM",
            value=text,
            continuous_update=True,
            disabled=playing or done,
            classes=["md-run-to-month"],
        )
        _button("Run to", "mdi-fast-forward", run_to, playing or done, "md-run-to")
        _button("Run to end", "mdi-skip-forward", run_to_end, playing or done, "md-run-end")


@solara.component
def SliderRow(
    name: str,
    shown: str,
    value: float,
    lo: float,
    hi: float,
    step: float,
    on_value,
    *,
    css: str = "",
    disabled: bool = False,
    tag: str = "",
    title: str = "",
    on_release=None,
):
    """A slider with its name and its value in words above it, so that a long name never narrows
    the track; ``tag`` is a short note beside the name ("live", "applies on Reset")."""
    badge = f"<span class='md-tag {'md-tag-live' if tag == 'live' else ''}'>{escape(tag)}</span>" if tag else ""
    solara.HTML(
        tag="div",
        unsafe_innerHTML=(
            f"<div class='md-slider-top'><span class='md-slider-name'>{escape(name)}</span>{badge}</div>"
            f"<div class='md-slider-value'>{escape(shown)}</div>"
        ),
        classes=["md-slider-head", css],
        attributes={"title": title} if title else {},
    )
    slider = solara.v.Slider(
        v_model=value,
        on_v_model=on_value,
        min=lo,
        max=hi,
        step=step,
        dense=True,
        hide_details=True,
        disabled=disabled,
        class_=f"md-slider {css}".strip(),
    )

    def released(*_ignore):
        if on_release is not None:
            on_release()

    solara.v.use_event(slider, "change", released)


@solara.component
def LeverInput(lever: Lever, value, on_value, note: str = "", disabled: bool = False, on_release=None):
    """One lever: its name, value in plain words and kind above the slider, its help below."""
    live = lever.live is not None
    css = "md-lever md-lever-" + lever.path.replace(".", "-")
    tag = "live" if live else "applies on Reset"
    if lever.kind == "bool":
        with solara.Div(classes=[css]):
            solara.Switch(label=lever.name, value=bool(value), on_value=on_value, disabled=disabled)
    else:
        lo, hi = lever.bounds
        number = int if lever.kind == "int" else float
        SliderRow(
            lever.name,
            lever.format(value),
            number(value),
            number(lo),
            number(hi),
            lever.step,
            lambda v: on_value(number(v)),
            css=css,
            disabled=disabled,
            tag=tag,
            title=lever.help,
            on_release=on_release,
        )
    extra = f"<span class='md-lever-note'>{escape(note)}</span> " if note else ""
    kind = "" if lever.kind != "bool" else f"<span class='md-tag'>{escape(tag)}</span> "
    solara.HTML(
        tag="div",
        unsafe_innerHTML=f"{extra}{kind}{escape(lever.help)}",
        classes=["md-help", "md-lever-help"],
        attributes={"data-path": lever.path},
    )


def use_live_levers(state: AppState, items: list[Lever]) -> solara.Reactive[int]:
    """A counter bumped whenever a live lever's value or queued state changes, whether a person
    moved it or the model did (replayed history, the US tariff rule): checked after every step."""
    moved = solara.use_reactive(0)
    session = state.session
    shown: dict[str, tuple] = {}
    in_force = solara.use_ref(shown)

    def live_values() -> dict:
        with session.lock:
            return {
                lever.path: (session.lever_value(lever), lever.path in session.pending)
                for lever in items
                if lever.live is not None
            }

    def check():
        now = live_values()
        if now != in_force.current:
            in_force.current = now
            moved.value += 1

    in_force.current = live_values()
    use_watcher(state, "levers", check)
    return moved


@solara.component
def LeverPanel(state: AppState):
    """Policy levers: live ones fire their action for the next month, structural ones apply on Reset."""
    _ = state.generation.value  # re-render when a new model is built
    session = state.session
    values = state.levers.value
    items = solara.use_memo(panel_levers, [])
    moved = use_live_levers(state, items)
    _ = moved.value  # re-render when a live lever moves

    def setter(lever: Lever):
        def set_value(value):
            if lever.live is None:
                state.levers.value = {**state.levers.value, lever.path: value}
            elif session.running:
                session.set_lever(lever, value)
                moved.value += 1

        return set_value

    # always there (empty when nothing is pending), so that the sliders below keep their widgets
    pending = state.pending()
    solara.HTML(
        tag="div",
        unsafe_innerHTML="Changed values apply when you press <b>Reset</b>." if pending else "",
        classes=["md-pending"] if pending else ["md-pending-none"],
    )
    running = session.running
    for lever in items:
        if lever.live is None:
            LeverInput(lever, values.get(lever.path, lever.spec.default), setter(lever)).key(lever.path)
            continue
        queued = lever.path in session.pending
        note = f"Queued: takes effect in {month_name(session.model.label_of(session.tick))}." if queued else ""
        LeverInput(
            lever,
            session.lever_value(lever),
            setter(lever),
            note=note if running else "The run has ended.",
            disabled=not running,
            on_release=state.refresh,
        ).key(lever.path)
