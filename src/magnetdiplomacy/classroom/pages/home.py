"""The front page (play alone, join a class, teach) and the join page."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

import solara

from ..auth import AccessDenied, JoinError
from ..injects import script_summaries
from ..room import get_classroom
from ..session import ClassError
from .address import browser_session
from .common import div, html, query
from .signin import SIGN_INS

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


def _buttons(main: tuple[str, Callable[[], None], str], switch: tuple[str, Callable[[], None], str]) -> None:
    """A form's main button and, next to it, a small one to switch to the other form: (label, on
    click, CSS class) each."""
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}, gap="8px"):
        solara.Button(main[0], on_click=main[1], color="primary", classes=[main[2]])
        solara.Button(switch[0], on_click=switch[1], text=True, small=True, classes=[switch[2]])


@solara.component
def JoinCard(code: str = ""):
    """Join a class with its code and a name, or come back to a seat with a return code. The seat
    is kept by this browser (its session cookie), never in the page's address."""
    router = solara.use_router()
    code_value = solara.use_reactive(code)
    name = solara.use_reactive("")
    return_code = solara.use_reactive("")
    returning = solara.use_reactive(False)
    error = solara.use_reactive("")
    session_id = browser_session()
    logins = get_classroom().logins

    def go(take):
        def run():
            error.value = ""
            try:
                class_id = take()
            except (JoinError, ClassError, AccessDenied) as err:
                error.value = str(err)
                return
            SIGN_INS.value += 1  # the address may already be this one: look again
            router.push(f"/student?c={class_id}")

        return run

    with div("cr-card"):
        html(
            "<h2>Join a class</h2><p class='cr-help'>Type the code your teacher shows and your name. This browser "
            "keeps your place: reload the page or open the site again and you are back.</p>"
        )
        if not returning.value:
            solara.InputText("Class code", value=code_value, continuous_update=True, classes=["cr-join-code"])
            solara.InputText("Your name", value=name, continuous_update=True, classes=["cr-join-name"])
            _buttons(
                ("Join", go(lambda: logins.join(code_value.value, name.value, session_id)), "cr-join"),
                ("I have a return code", lambda: returning.set(True), "cr-have-return-code"),
            )
        else:
            html(
                "<p class='cr-help'>On another computer: type the return code shown on your page where you joined "
                "(like ABCDE-FGHJK) to get your place back here.</p>"
            )
            solara.InputText("Return code", value=return_code, continuous_update=True, classes=["cr-return-code"])
            _buttons(
                ("Back to my place", go(lambda: logins.return_to_seat(return_code.value, session_id)), "cr-return"),
                ("Join with a class code", lambda: returning.set(False), "cr-join-instead"),
            )
        if error.value:
            html(escape(error.value), ["cr-error"])


@solara.component
def SoloCard():
    router = solara.use_router()
    name = solara.use_reactive("")
    options = solara.use_memo(start_options, [])
    start = solara.use_reactive(DEFAULT_START)
    end = solara.use_reactive(next(iter(SOLO_ENDS)))
    error = solara.use_reactive("")
    busy = solara.use_reactive(False)
    session_id = browser_session()

    def begin():
        busy.value = True
        script = options.get(start.value)
        until = SOLO_ENDS[end.value] or (None if script else "2030-12")
        room = get_classroom()
        try:
            token = room.start_solo(name.value, script=script, end=until)
            class_id = room.logins.claim_link(token, session_id)  # the game is this browser's; no token in the address
        except (ClassError, AccessDenied) as err:
            error.value = str(err)
            busy.value = False
            return
        router.push(f"/student?c={class_id}")

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
