"""The front page (play alone, join a class, teach) and the join page."""

from __future__ import annotations

import solara

from ..auth import JoinError
from ..injects import script_summaries
from ..room import get_classroom
from ..session import ClassError
from .common import div, html, query

DEFAULT_START = "From April 2026, where history ends"
SOLO_ENDS = {
    "December 2030 (the targets' year)": "2030-12",
    "December 2026 (a short game: 3 quarters)": "2026-12",
    "December 2027": "2027-12",
    "December 2035 (the end of the model)": "2035-12",
    "The script's own end": None,
}


def start_options() -> dict[str, str | None]:
    """Label -> script name (None: start where history ends)."""
    out: dict[str, str | None] = {DEFAULT_START: None}
    for name, title, _ in script_summaries():
        out[title] = name
    return out


@solara.component
def JoinCard(code: str = ""):
    router = solara.use_router()
    code_value = solara.use_reactive(code)
    name = solara.use_reactive("")
    error = solara.use_reactive("")

    def join():
        try:
            token = get_classroom().join(code_value.value, name.value)
        except (JoinError, ClassError) as err:
            error.value = str(err)
            return
        router.push(f"/student?t={token}")

    with div("cr-card"):
        html(
            "<h2>Join a class</h2><p class='cr-help'>Type the code your teacher shows and your name. You keep your "
            "place if you reload the page.</p>"
        )
        solara.InputText("Class code", value=code_value, continuous_update=True, classes=["cr-join-code"])
        solara.InputText("Your name", value=name, continuous_update=True, classes=["cr-join-name"])
        solara.Button("Join", on_click=join, color="primary", classes=["cr-join"])
        if error.value:
            html(error.value, ["cr-error"])


@solara.component
def SoloCard():
    router = solara.use_router()
    name = solara.use_reactive("")
    options = solara.use_memo(start_options, [])
    start = solara.use_reactive(DEFAULT_START)
    end = solara.use_reactive(next(iter(SOLO_ENDS)))
    error = solara.use_reactive("")
    busy = solara.use_reactive(False)

    def begin():
        busy.value = True
        script = options.get(start.value)
        until = SOLO_ENDS[end.value] or (None if script else "2030-12")
        try:
            token = get_classroom().start_solo(name.value, script=script, end=until)
        except ClassError as err:
            error.value = str(err)
            busy.value = False
            return
        router.push(f"/student?t={token}")

    with div("cr-card"):
        html(
            "<h2>Play as Malaysia</h2><p class='cr-help'>You make Malaysia's decisions each quarter: the raw-ore ban, "
            "Lynas' licence, offers from the US, China, Korea and Australia, incentives for the magnet plant and how "
            "far to lean. The model plays everyone else. Each choice shows what it is expected to change before you "
            "make it; at the end you are scored against Malaysia's targets and compared with the model's own "
            "Malaysia.</p>"
        )
        solara.InputText("Your name", value=name, continuous_update=True, classes=["cr-solo-name"])
        solara.Select("Start", values=list(options), value=start, classes=["cr-solo-start-at"])
        solara.Select("Play until", values=list(SOLO_ENDS), value=end, classes=["cr-solo-end"])
        solara.Button("Start playing", on_click=begin, color="primary", disabled=busy.value, classes=["cr-solo-start"])
        if error.value:
            html(error.value, ["cr-error"])


@solara.component
def Home():
    router = solara.use_router()
    html(
        "<p class='cr-help' style='font-size:0.95rem;margin:10px 0 14px 0'>Malaysia sits between the United States and "
        "China in the race for rare-earth magnets. "
        "Here you can take its decisions yourself, or play the whole race as a class: the US, China, Malaysia, Lynas, "
        "JS Link and the magnet buyers, "
        "with your teacher running the clock and bringing in the news.</p>"
    )
    with div("cr-cards"):
        SoloCard()
        JoinCard()
        with div("cr-card"):
            html(
                "<h2>Teach a class</h2><p class='cr-help'>Open a class and get a join code. Choose <b>individual</b> "
                "play (everyone is Malaysia in their own world, "
                "results side by side) or <b>role-play</b> (students take the six seats in one shared world). You run "
                "the clock, pause, bring in news "
                "from a script or on the spot, watch the class live and download results.</p>"
            )
            solara.Button(
                "Open the teacher's console",
                on_click=lambda: router.push("/teacher"),
                color="primary",
                outlined=True,
                classes=["cr-to-teacher"],
            )


@solara.component
def JoinPage():
    JoinCard(code=query().get("code", ""))
