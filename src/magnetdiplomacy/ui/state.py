"""Per-tab state of the page: the session and the few reactive values that drive re-rendering.

:func:`use_app_state` is called once in the page component. Solara runs that component separately
for every browser tab (each tab has its own kernel), so each tab gets its own :class:`Session` and
its own reactive values; nothing is stored at module level.

A step must be cheap, because a class may run many tabs on one server. So a step does not
re-render the component tree: the parts that change every month (the status line and indicators,
the charts of the open tab, the event log) are *live* elements that register an updater when they
appear and remove it when they go (for example when another tab is opened). After a step,
:meth:`AppState.refresh` calls the updaters, which redraw their content in place. Everything else
re-renders through reactive values: ``generation`` (a new model: Reset or another scenario),
``version`` (bumped when something other than a step changes the run), ``playing`` and ``finished``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import solara
import solara.widgets

from .levers import values_of
from .session import Session


@dataclass(frozen=True)
class AppState:
    session: Session
    version: solara.Reactive[int]  # bumped to redraw components outside a step (a new model)
    generation: solara.Reactive[int]  # bumped when a new model is built
    playing: solara.Reactive[bool]
    speed: solara.Reactive[float]  # months per second while playing
    levers: solara.Reactive[dict]  # lever values to apply at the next Reset
    seed: solara.Reactive[int]
    message: solara.Reactive[str]
    finished: solara.Reactive[bool]
    live: dict  # key -> (widget, function making its content) for each live element on the page

    def refresh(self) -> None:
        """Redraw every live element from the session's current state.

        All new contents are made first and then sent together, so the browser receives them in
        one burst and paints them in one frame.
        """
        with self.session.lock:
            ready = [(widget, make()) for widget, make in list(self.live.values())]
            for widget, content in ready:
                widget.unsafe_innerHTML = content

    def changed(self) -> None:
        self.version.value = self.version.value + 1

    def rebuilt(self) -> None:
        self.generation.value = self.generation.value + 1
        self.changed()

    def step(self, months: int = 1) -> int:
        with self.session.lock:
            done = self.session.step(months)
            if done:
                self.refresh()
        if not self.session.running:
            self.playing.value = False
            self.finished.value = True
        return done

    def reset(self, scenario: str | None = None) -> None:
        """Rebuild the model: a new scenario starts from its own values, otherwise the panel's apply."""
        self.playing.value = False
        self.finished.value = False
        session = self.session
        if scenario is not None and scenario != session.scenario_name:
            session.reset(scenario, None, {})
            self.levers.value = values_of(session.scenario)
            self.seed.value = session.seed
            self.message.value = f"Scenario '{scenario}' loaded."
        else:
            session.reset(session.scenario_name, self.seed.value, self.overrides())
            self.message.value = "Reset: a new run with the values in the panel."
        self.rebuilt()

    def overrides(self) -> dict[str, Any]:
        """Lever values that differ from the scenario's own."""
        own = values_of(self.session.base)
        return {path: value for path, value in self.levers.value.items() if own.get(path) != value}

    def pending(self) -> bool:
        """True if the panel holds values the running model was not built with."""
        return self.overrides() != self.session.overrides or self.seed.value != self.session.seed


def use_app_state(scenario: str = "baseline") -> AppState:
    session = solara.use_memo(lambda: Session(scenario), [])
    initial_levers = solara.use_memo(lambda: values_of(session.scenario), [])
    return AppState(
        session=session,
        version=solara.use_reactive(0),
        generation=solara.use_reactive(0),
        playing=solara.use_reactive(False),
        speed=solara.use_reactive(6.0),
        levers=solara.use_reactive(initial_levers),
        seed=solara.use_reactive(session.seed),
        message=solara.use_reactive(""),
        finished=solara.use_reactive(False),
        live=solara.use_memo(dict, []),
    )


def use_live(state: AppState, key: str, make: Callable[[], str], classes: list[str]):
    """An HTML element whose content ``make()`` returns, redrawn in place after every step.

    The content is set on the widget directly (never passed through the component tree), so a
    re-render elsewhere on the page cannot put back an older month; the element redraws itself
    after each of its own renders too.
    """
    maker = solara.use_ref(make)
    maker.current = make
    # the content trait is left out of the element on purpose: only ``update`` sets it
    element = solara.widgets.HTML.element(tag="div", attributes={"class": " ".join(classes)})

    def attach():
        widget = solara.get_widget(element)
        widget.unsafe_innerHTML = maker.current()
        state.live[key] = (widget, lambda: maker.current())
        return lambda: state.live.pop(key, None)

    def redraw():
        entry = state.live.get(key)
        if entry is not None:
            entry[0].unsafe_innerHTML = maker.current()

    solara.use_effect(attach, [key])
    solara.use_effect(redraw)
    return element
