"""Per-tab state of the page: the session and the few reactive values that drive re-rendering.

:func:`use_app_state` is called once in the page component. Solara runs that component separately
for every browser tab (each tab has its own kernel), so each tab gets its own reactive values. The
:class:`Session` comes from the server's registry (:data:`session.REGISTRY`) under the token in the
page's URL (``?run=<token>``): a new tab gets a new session and a new token, which
:func:`TabScript` writes into the URL; reloading that URL finds the same session, so the run
survives a reload (and the newer page takes it over: the older page's Play stops).

A step must be cheap, because a class may run many tabs on one server. So a step does not
re-render the component tree: the parts that change every month (the status line and indicators,
the charts of the open tab, the event log, the progress of Run to) are *live* elements that
register an updater when they appear and remove it when they go (for example when another tab is
opened). After a step, :meth:`AppState.refresh` calls the updaters, which redraw their content in
place, and then the *watchers* (small checks that re-render one component only when what it shows
has changed, such as a live lever moved by the model). Everything else re-renders through reactive
values: ``generation`` (a new model: Reset or another scenario), ``version`` (bumped when something
other than a step changes the run), ``playing``, ``target`` and ``finished``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import ipyvuetify
import solara
import solara.widgets
import traitlets

from .ensemble import restart_ensemble
from .levers import LIVE, values_of
from .session import REGISTRY, Session, month_name, token_in

REDRAW_S = 0.15  # while running to a month, redraw at most this often


@dataclass(frozen=True)
class AppState:
    session: Session
    version: solara.Reactive[int]  # bumped to redraw components outside a step (a new model)
    generation: solara.Reactive[int]  # bumped when a new model is built
    playing: solara.Reactive[bool]  # Play, Run to or Run to end is on
    speed: solara.Reactive[float]  # months per second while playing
    levers: solara.Reactive[dict]  # values of the structural levers, applied at the next Reset
    seed: solara.Reactive[int]
    message: solara.Reactive[str]
    finished: solara.Reactive[bool]
    live: dict  # key -> (widget, function making its content) for each live element on the page
    target: solara.Reactive[tuple[int, int] | None]  # (from, to) months of Run to / Run to end
    token: str  # the session's key in the registry, in the page's URL
    claim: object  # this page's claim on the session (see Session.owner)
    watchers: dict  # key -> check run after every refresh, for each watcher on the page

    def refresh(self) -> None:
        """Redraw every live element from the session's current state, then run the watchers.

        All new contents are made first and then sent together, so the browser receives them in
        one burst and paints them in one frame.
        """
        with self.session.lock:
            ready = [(widget, make()) for widget, make in list(self.live.values())]
            for widget, content in ready:
                widget.unsafe_innerHTML = content
        for check in list(self.watchers.values()):
            check()

    def changed(self) -> None:
        self.version.value = self.version.value + 1

    def rebuilt(self) -> None:
        self.generation.value = self.generation.value + 1
        self.changed()

    def owns(self) -> bool:
        """True while this page drives the session (a reload of the same URL takes it over)."""
        return self.session.owner is self.claim

    def step(self, months: int = 1) -> int:
        if not self.owns():
            self._taken_over()
            return 0
        with self.session.lock:
            done = self.session.step(months)
            if done:
                self.refresh()
        self._used()
        if not self.session.running:
            self.target.value = None
            self.playing.value = False
            self.finished.value = True
        return done

    def run_to(self, target: int) -> None:
        """Start running until ``target`` months are simulated (Pause stops it)."""
        self.target.value = (self.session.tick, target)
        self.message.value = ""
        self.playing.value = True

    def advance(self, target: int, cancel: threading.Event) -> None:
        """Step until ``target`` months are simulated, the run ends, Pause or another page takes
        the run over, redrawing a few times a second; then say where it stopped."""
        session = self.session
        shown = time.perf_counter()
        while session.tick < target and session.running and self.playing.value and not cancel.is_set():
            if not self.owns():
                self._taken_over()
                return
            session.step(1)
            if time.perf_counter() - shown > REDRAW_S:
                self.refresh()
                shown = time.perf_counter()
        self.target.value = None
        self.refresh()
        self._used()
        month = month_name(session.month_label)
        self.message.value = f"Ran to {month}." if session.tick >= target else f"Stopped in {month}."
        if not session.running:
            self.finished.value = True
        self.playing.value = False

    def _used(self) -> None:
        if self.token:
            REGISTRY.touch(self.token, self.session)

    def _taken_over(self) -> None:
        self.target.value = None
        self.playing.value = False
        self.message.value = "This run is open in another tab now: reload this page to take it back."

    def reset(self, scenario: str | None = None) -> None:
        """Rebuild the model: a new scenario starts from its own values, otherwise the panel's apply."""
        self.playing.value = False
        self.target.value = None
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
        restart_ensemble(session)  # seed bands for the new model (see ensemble.py)
        self._used()
        self.rebuilt()

    def overrides(self) -> dict[str, Any]:
        """Structural lever values that differ from the scenario's own (live levers act mid-run)."""
        own = values_of(self.session.base)
        return {path: value for path, value in self.levers.value.items() if path not in LIVE and own.get(path) != value}

    def pending(self) -> bool:
        """True if the panel holds values the running model was not built with."""
        return self.overrides() != self.session.overrides or self.seed.value != self.session.seed


def _open(search: str | None, scenario: str) -> tuple[str, Session, bool, object]:
    token, session, restored = REGISTRY.open(token_in(search), lambda: Session(scenario))
    claim = object()
    session.owner = claim  # this page drives the session now
    return token, session, restored, claim


def use_app_state(scenario: str = "baseline") -> AppState:
    router = solara.use_router()
    token, session, restored, claim = solara.use_memo(lambda: _open(router.search, scenario), [])
    initial_levers = solara.use_memo(lambda: values_of(session.scenario), [])
    restored_note = f"Run restored in {month_name(session.month_label)}." if restored and session.tick else ""
    return AppState(
        session=session,
        version=solara.use_reactive(0),
        generation=solara.use_reactive(0),
        playing=solara.use_reactive(False),
        speed=solara.use_reactive(6.0),
        levers=solara.use_reactive(initial_levers),
        seed=solara.use_reactive(session.seed),
        message=solara.use_reactive(restored_note),
        finished=solara.use_reactive(not session.running),
        live=solara.use_memo(dict, []),
        target=solara.use_reactive(None),
        token=token,
        claim=claim,
        watchers=solara.use_memo(dict, []),
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


def use_watcher(state: AppState, key: str, check: Callable[[], None]) -> None:
    """Run ``check()`` after every refresh (every step) while the calling component is shown."""
    ref = solara.use_ref(check)
    ref.current = check

    def attach():
        state.watchers[key] = lambda: ref.current()
        return lambda: state.watchers.pop(key, None)

    solara.use_effect(attach, [key])


# ---- the page's script: the run's token in the URL, a warning before leaving ----------------------

TAB_SCRIPT = """
<template><span class="md-tab-script" style="display: none"></span></template>
<script>
module.exports = {
  mounted() {
    // The app's texts have no formulas: tell Solara's Markdown that maths is rendered already,
    // so that it does not fetch KaTeX (which solara-assets does not ship) from a CDN.
    if (!window.renderMathInElement) {
      window.renderMathInElement = () => {};
    }
    this.onBeforeUnload = (event) => {
      if (this.guard) {
        event.preventDefault();
        event.returnValue = "";
        return "";
      }
    };
    window.addEventListener("beforeunload", this.onBeforeUnload);
    this.putToken(this.run_token);
  },
  destroyed() {
    window.removeEventListener("beforeunload", this.onBeforeUnload);
  },
  watch: {
    run_token(value) {
      this.putToken(value);
    },
  },
  methods: {
    putToken(token) {
      // the run's address: reloading this URL finds the same session on the server
      const url = new URL(window.location.href);
      if (token && url.searchParams.get("run") !== token) {
        url.searchParams.set("run", token);
        window.history.replaceState(window.history.state, "", url.toString());
      }
    },
  },
};
</script>
"""


class TabScriptWidget(ipyvuetify.VuetifyTemplate):
    """The page's script (:data:`TAB_SCRIPT`): the run's token to put in the URL, and whether to
    warn before the page is left."""

    template = traitlets.Unicode(TAB_SCRIPT).tag(sync=True)
    run_token = traitlets.Unicode("").tag(sync=True)
    guard = traitlets.Bool(False).tag(sync=True)


@solara.component
def TabScript(state: AppState):
    """Puts the run's token in the URL and asks the browser to warn before the page is left (closed
    or reloaded) once the run has started: the browser cannot tell a reload, which keeps the run,
    from closing the tab, after which the run is kept on the server for two hours only."""
    _ = state.generation.value
    session = state.session
    element = TabScriptWidget.element(run_token=state.token, guard=session.tick > 0 or bool(session.fired))
    widget = solara.use_ref(cast(TabScriptWidget | None, None))

    def attach():
        widget.current = cast(TabScriptWidget, solara.get_widget(element))

    def check():
        guard = session.tick > 0 or bool(session.fired)
        if widget.current is not None and widget.current.guard != guard:
            widget.current.guard = guard

    solara.use_effect(attach, [])
    use_watcher(state, "tab-script", check)
    return element
