"""The teacher's console: open a class, run the clock, bring in news, watch the class, download results."""

from __future__ import annotations

from html import escape

import solara
import solara.lab

from ..auth import AccessDenied, format_code
from ..injects import ADHOC_ACTIONS, script_summaries
from ..records import HISTORY_MODES, MAX_HEADLINE, MAX_NEWS_TEXT
from ..room import get_classroom
from ..session import MODE_LABELS, ClassError, ClassSession
from ..world import month_name
from .common import badge, div, html, malaysia_tiles, news_html, query, use_live
from .overview import class_chart_html, roster_html, seats_html, side_by_side_html
from .results import Downloads, Results
from .roster import RosterControls, class_life
from .roster import act as _act
from .signin import FRESH_KEY, SignIn, SignOut, key_banner, open_new_class, teacher_credential, use_link_key
from .student import Countdown

NO_SCRIPT = "No script: start in April 2026, where history ends"
ENDS = {
    "December 2030 (the targets' year)": "2030-12",
    "December 2027": "2027-12",
    "December 2028": "2028-12",
    "December 2035 (the end of the model)": "2035-12",
    "The script's own end": None,
}
DEFAULT_END = "December 2030 (the targets' year)"
SCRIPT_END = "The script's own end"
TIMERS = {"No timer": 0, "1 minute": 60, "2 minutes": 120, "3 minutes": 180, "5 minutes": 300, "10 minutes": 600}


@solara.component
def CreateClass():
    router = solara.use_router()
    name = solara.use_reactive("")
    mode = solara.use_reactive(MODE_LABELS["roleplay"])
    scripts = solara.use_memo(lambda: {NO_SCRIPT: None, **{title: name for name, title, _ in script_summaries()}}, [])
    script = solara.use_reactive(NO_SCRIPT)
    end = solara.use_reactive(DEFAULT_END)
    history = solara.use_reactive(HISTORY_MODES["diverge"])
    timer = solara.use_reactive("No timer")
    auto = solara.use_reactive(True)
    error = solara.use_reactive("")

    def create():
        modes = {label: key for key, label in MODE_LABELS.items()}
        chosen = scripts.get(script.value)
        end_month = ENDS[end.value]
        if chosen is None and end_month is None:
            end_month = "2030-12"
        try:
            class_id, _, key = get_classroom().create_class(
                name.value,
                modes[mode.value],
                script=chosen,
                end=end_month,
                timer_s=TIMERS[timer.value],
                auto_advance=auto.value,
                history={label: key for key, label in HISTORY_MODES.items()}[history.value],
            )
        except ClassError as err:
            error.value = str(err)
            return
        open_new_class(router, class_id, key)  # signed in here; the key is shown once, never in the address

    with div("cr-card"):
        html(
            "<h2>Open a class</h2><p class='cr-help'>You will get a join code for students and a teacher's key for "
            "you. A class lasts two weeks (for units over several lessons; you can extend it) or until you end it; its "
            "code stops working then.</p>"
        )
        solara.InputText("Name of the class", value=name, continuous_update=True, classes=["cr-class-name"])
        solara.Select(
            "How students play",
            values=[MODE_LABELS["roleplay"], MODE_LABELS["individual"]],
            value=mode,
            classes=["cr-class-mode"],
        )
        _script_fields(scripts, script, end, history)
        solara.Select("Time per quarter", values=list(TIMERS), value=timer, classes=["cr-class-timer"])
        solara.Switch(label="Move the clock as soon as every seat is done", value=auto, classes=["cr-class-auto"])
        solara.Button("Open the class", on_click=create, color="primary", classes=["cr-create"])
        if error.value:
            html(escape(error.value), ["cr-error"])
        summaries = "".join(f"<li><b>{escape(title)}</b>: {escape(text)}</li>" for _, title, text in script_summaries())
        html(
            f"<div class='cr-small' style='margin-top:8px'>Scripts:<ul>{summaries}</ul>Lesson plans, worksheets and "
            "notes are in the docs/classroom folder.</div>"
        )


def _script_fields(
    scripts: dict[str, str | None],
    script: solara.Reactive[str],
    end: solara.Reactive[str],
    history: solara.Reactive[str],
) -> None:
    """The inject script, the month the class ends (a script's own by default) and how replayed
    history meets students' moves."""

    def pick_script(title: str) -> None:
        # a script is written for its own months: its end is the natural default
        script.value = title
        end.value = SCRIPT_END if scripts.get(title) else DEFAULT_END

    solara.Select(
        "Inject script (news you bring in)",
        values=list(scripts),
        value=script.value,
        on_value=pick_script,
        classes=["cr-class-script"],
    )
    solara.Select("Play until", values=list(ENDS), value=end, classes=["cr-class-end"])
    solara.Select(
        "When replayed history would undo a student's move",
        values=list(HISTORY_MODES.values()),
        value=history,
        classes=["cr-class-history"],
    )


@solara.component
def Controls(version: int, session: ClassSession, class_id: str, key: str):
    error = solara.use_reactive("")
    confirm_end = solara.use_reactive(False)
    with div("cr-card", "cr-controls"):
        html("<h2>Clock</h2>")
        _clock_buttons(session, class_id, key, error, confirm_end)
        _clock_settings(session, class_id, key, error)
        class_life(session, class_id, key, error)
        if error.value:
            html(escape(error.value), ["cr-error"])


def _clock_buttons(
    session: ClassSession, class_id: str, key: str, error: solara.Reactive[str], confirm_end: solara.Reactive[bool]
) -> None:
    """Start, simulate the quarter, pause or resume, and end the class (after a confirmation)."""
    room = get_classroom()
    open_ = session.status in ("lobby", "running", "paused") and not session.finished
    with div("cr-buttons"):
        if session.status == "lobby":
            solara.Button(
                "Start the class",
                on_click=_act(error, room.start, class_id, key),
                color="primary",
                classes=["cr-start"],
            )
        solara.Button(
            f"Simulate {session.quarter_label()} and move on" if open_ else "Simulate the quarter",
            on_click=_act(error, room.advance, class_id, key),
            color="primary",
            disabled=not open_ or session.status == "paused",
            icon_name="mdi-fast-forward",
            classes=["cr-advance"],
        )
        if session.status == "paused":
            solara.Button(
                "Resume",
                on_click=_act(error, room.pause, class_id, key, False),
                classes=["cr-resume"],
                icon_name="mdi-play",
            )
        elif open_:
            solara.Button(
                "Pause",
                on_click=_act(error, room.pause, class_id, key, True),
                classes=["cr-pause"],
                icon_name="mdi-pause",
            )
        if open_ and not confirm_end.value:
            solara.Button("End the class", on_click=lambda: confirm_end.set(True), text=True, classes=["cr-end"])
        elif open_:
            html("End now? Students see their debrief and the code stops working.", ["cr-small"], tag="span")
            solara.Button(
                "Yes, end it",
                on_click=_act(error, room.end, class_id, key),
                color="error",
                small=True,
                classes=["cr-end-confirm"],
            )
            solara.Button("No", on_click=lambda: confirm_end.set(False), text=True, small=True)


def _clock_settings(session: ClassSession, class_id: str, key: str, error: solara.Reactive[str]) -> None:
    """Time per quarter, moving on when everyone is done, and announcing scripted news on its date."""
    room = get_classroom()
    timers = {v: k for k, v in TIMERS.items()}
    timer_label = timers.get(session.settings.timer_s, f"{session.settings.timer_s} seconds")
    with solara.Row(style={"flex-wrap": "wrap", "align-items": "center"}, gap="14px"):
        solara.Select(
            "Time per quarter",
            values=list(TIMERS) if timer_label in TIMERS else [timer_label, *TIMERS],
            value=timer_label,
            on_value=lambda v: _act(
                error, room.configure, class_id, key, timer_s=TIMERS.get(v, session.settings.timer_s)
            )(),
            classes=["cr-timer"],
            style={"max-width": "200px"},
        )
        solara.Switch(
            label="Move on when every seat is done",
            value=session.settings.auto_advance,
            on_value=lambda v: _act(error, room.configure, class_id, key, auto_advance=v)(),
            classes=["cr-auto"],
        )
        if session.script is not None:
            solara.Switch(
                label="Announce scripted news on its date",
                value=session.settings.auto_injects,
                on_value=lambda v: _act(error, room.configure, class_id, key, auto_injects=v)(),
                classes=["cr-auto-injects"],
            )


@solara.component
def InjectPanel(version: int, session: ClassSession, class_id: str, key: str):
    room = get_classroom()
    error = solara.use_reactive("")
    sent = solara.use_reactive("")
    preset = solara.use_reactive(next(iter(ADHOC_ACTIONS)))
    headline = solara.use_reactive("")
    text = solara.use_reactive("")
    open_ = session.is_open and not session.finished

    def send():
        error.value = sent.value = ""
        action, params = ADHOC_ACTIONS[preset.value]
        title = headline.value.strip() or (preset.value if action else "")
        try:
            room.fire_adhoc(class_id, key, title, text.value, action, params)
        except (AccessDenied, ClassError) as err:
            error.value = str(err)
            return
        sent.value = f"Sent to the class: {title}"
        headline.value = ""
        text.value = ""

    if session.script is not None:
        _scripted_news(session, class_id, key, error, open_)
    with div("cr-card", "cr-adhoc"):
        html(
            "<h2>Bring in news now</h2><div class='cr-help'>Every student sees it at once. Pick what happens in the "
            "model (or news only), and write the headline students read. It takes effect from the first month of the "
            "current quarter.</div>"
        )
        solara.Select("What happens", values=list(ADHOC_ACTIONS), value=preset, classes=["cr-adhoc-action"])
        solara.InputText(
            f"Headline ({len(headline.value)} of {MAX_HEADLINE} characters)",
            value=headline,
            continuous_update=True,
            classes=["cr-adhoc-headline"],
        )
        with div("cr-adhoc-text"):
            solara.InputTextArea(
                f"Text for students, optional ({len(text.value)} of {MAX_NEWS_TEXT} characters)",
                value=text,
                continuous_update=True,
                rows=2,
            )
        solara.Button(
            "Send to the class", on_click=send, color="primary", disabled=not open_, classes=["cr-adhoc-fire"]
        )
        if sent.value:
            html(escape(sent.value), ["cr-ok", "cr-sent"])
    if error.value:
        html(escape(error.value), ["cr-error"])
    _news_so_far(session)


def _scripted_news(session: ClassSession, class_id: str, key: str, error: solara.Reactive[str], open_: bool) -> None:
    """The script's injects with their status, to announce early or skip."""
    room = get_classroom()
    script = session.script
    if script is None:
        return
    with div("cr-card", "cr-injects"):
        html(
            f"<h2>Script: {escape(script.title)}</h2><div "
            f"class='cr-help'>{escape(script.description)}</div>"
            "<div class='cr-help'>Scripted news is announced at the start of the quarter that contains its month "
            "and takes effect in that month. Fire it early, or skip it.</div>"
        )
        for row in session.inject_rows():
            with div("cr-decision", f"cr-inject-{row['id']}"):
                actions = ", ".join(row["actions"]) or "news only"
                question = f"<div class='cr-small'>Ask: {escape(row['question'])}</div>" if row["question"] else ""
                badge_class = {"fired": "running", "due": "lobby"}.get(row["status"], "finished")
                html(
                    f"<div><span class='cr-badge cr-{badge_class}'>"
                    f"{escape(row['status'])}</span> <b>{escape(row['month'])}</b>: {escape(row['headline'])}</div>"
                    f"<div class='cr-small'>{escape(row['text'])} <i>In the model: {escape(actions)}.</i></div>"
                    f"{question}"
                )
                if row["status"] != "fired" and open_:
                    with div("cr-buttons"):
                        solara.Button(
                            "Announce now",
                            on_click=_act(error, room.fire_inject, class_id, key, row["id"]),
                            small=True,
                            outlined=True,
                            classes=[f"cr-fire-{row['id']}"],
                        )
                        solara.Button(
                            "Skip" if row["status"] != "skipped" else "Undo skip",
                            on_click=_act(error, room.skip_inject, class_id, key, row["id"]),
                            small=True,
                            text=True,
                            classes=[f"cr-skip-{row['id']}"],
                        )


def _news_so_far(session: ClassSession) -> None:
    with div("cr-card"):
        html("<h2>News so far</h2>")
        key_ = session.world_keys()[0] if session.world_keys() else None
        html(
            news_html(
                session.news, session.world_news(key_) if key_ and session.mode == "roleplay" else [], month_name
            ),
            ["cr-news"],
        )


@solara.component
def Console(session: ClassSession, class_id: str, key: str, new: bool, version: int = 0):
    show_key = solara.use_reactive(new)
    tab = solara.use_reactive(0)
    expected = session.expected_owners()
    done = [o for o in expected if o in session.ready.get(session.quarter, {})]
    label = session.quarter_label() if not session.finished else "all quarters played"
    numbered = "" if session.finished else f"Quarter {session.quarter + 1} of {session.n_quarters}: "
    counted = f"{len(done)} of {len(expected)} {'seats' if session.mode == 'roleplay' else 'students'} done"
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}, gap="10px"):
        html(
            f"<div class='cr-status cr-console' data-quarter='{session.quarter}' "
            f"data-status='{escape(session.status)}' data-code='{escape(session.code or '')}' data-done='{len(done)}' "
            f"data-expected='{len(expected)}'><span class='cr-quarter'>{numbered}{escape(label)}</span>"
            f"{badge(session.status)}<span class='cr-who'>{escape(session.name)} · "
            f"{escape(MODE_LABELS[session.mode])} · {counted}</span></div>"
        )
        Countdown(session.deadline if session.status == "running" else None)
    with div("cr-grid"):
        _join_card(session, key, show_key)
        Controls(version, session, class_id, key)
    with div("cr-main"):
        with solara.lab.Tabs(value=tab, lazy=True):
            with solara.lab.Tab("Class"):
                _class_tab(version, session, class_id, key)
            with solara.lab.Tab("News & injects"):
                InjectPanel(version, session, class_id, key)
            with solara.lab.Tab("Results"):
                Results(version, session)
            with solara.lab.Tab("Downloads"):
                Downloads(version, session, class_id, key)


def _join_card(session: ClassSession, key: str, show_key: solara.Reactive[bool]) -> None:
    """The join code for students, the teacher's key once (right after the class was opened) and
    signing out. ``key`` is the console's credential, not the key itself."""
    code = escape(format_code(session.code or ""))
    with div("cr-card"):
        html(
            f"<h2>Join code</h2><div class='cr-code'>{code}</div><div class='cr-help'>"
            "Students open this site, choose <b>Join a class</b> and type the code (or open <a "
            f"href='/join?code={code}'>/join?code={code}</a>). The code works until the class ends.</div>"
        )
        key_banner(session, show_key)
        SignOut(session.id)


def _class_tab(version: int, session: ClassSession, class_id: str, key: str) -> None:
    """The students (and seats) next to the class's world or everyone's Malaysia."""
    with div("cr-grid"):
        with div("cr-card"):
            html("<h2>Students</h2>" + roster_html(session))
            if session.mode == "roleplay":
                html("<h3>Seats</h3>" + seats_html(session))
            RosterControls(version, session, class_id, key)
        with div("cr-card", "cr-dashboard"):
            if session.mode == "roleplay":
                world = session.world(session.world_keys()[0])
                html(
                    "<h2>The class's world, end of "
                    f"{escape(month_name(world.label(max(0, world.model.tick - 1))))}</h2>"
                    + malaysia_tiles(world.snapshot())
                    + class_chart_html(session)
                )
            else:
                html("<h2>Everyone's Malaysia</h2>" + side_by_side_html(session) + class_chart_html(session))


@solara.component
def TeacherPage():
    q = query()
    class_id = q.get("c", "")
    link_problem = use_link_key(class_id, q.get("k", ""))  # an old address with the key: once, then cleaned
    credential = teacher_credential(class_id)
    room = get_classroom()
    session, problem = None, ""
    if class_id:
        try:
            session = room.teacher(class_id, credential)
        except AccessDenied as err:
            problem = f"{link_problem or err} Sign in with the class code and the teacher's key."
    version = use_live(session, ("public", "teacher"), settle=0.25)
    if session is None:
        with div("cr-cards"):
            if not problem:
                CreateClass()
            SignIn(problem)
        return
    Console(session, class_id, credential, FRESH_KEY.value[0] == class_id, version)
