"""The teacher's console: open a class, run the clock, bring in news, watch the class, download results."""

from __future__ import annotations

from html import escape

import solara
import solara.lab

from ..auth import AccessDenied
from ..game import class_scores
from ..injects import ADHOC_ACTIONS, script_summaries
from ..menus import SEAT_LABELS
from ..session import MODE_LABELS, ClassError, ClassSession, get_classroom
from ..targets import scorecard
from ..world import month_name
from . import charts
from .common import div, badge, html, malaysia_tiles, news_html, query, use_live
from .student import Countdown

NO_SCRIPT = "No script: start in April 2026, where history ends"
ENDS = {"December 2030 (the targets' year)": "2030-12", "December 2027": "2027-12", "December 2028": "2028-12", "December 2035 (the end of the model)": "2035-12", "The script's own end": None}
TIMERS = {"No timer": 0, "1 minute": 60, "2 minutes": 120, "3 minutes": 180, "5 minutes": 300, "10 minutes": 600}


@solara.component
def CreateClass():
    router = solara.use_router()
    name = solara.use_reactive("")
    mode = solara.use_reactive(MODE_LABELS["roleplay"])
    scripts = solara.use_memo(lambda: {NO_SCRIPT: None, **{title: name for name, title, _ in script_summaries()}}, [])
    script = solara.use_reactive(NO_SCRIPT)
    end = solara.use_reactive("December 2030 (the targets' year)")
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
            class_id, _, key = get_classroom().create_class(name.value, modes[mode.value], script=chosen, end=end_month, timer_s=TIMERS[timer.value], auto_advance=auto.value)
        except ClassError as err:
            error.value = str(err)
            return
        router.push(f"/teacher?c={class_id}&k={key}&new=1")

    with div("cr-card"):
        html("<h2>Open a class</h2><p class='cr-help'>You will get a join code for students and a teacher's key for you. "
             "A class lasts two weeks (for units over several lessons) or until you end it; its code stops working then.</p>")
        solara.InputText("Name of the class", value=name, continuous_update=True, classes=["cr-class-name"])
        solara.Select("How students play", values=[MODE_LABELS["roleplay"], MODE_LABELS["individual"]], value=mode, classes=["cr-class-mode"])
        solara.Select("Inject script (news you bring in)", values=list(scripts), value=script, classes=["cr-class-script"])
        solara.Select("Play until", values=list(ENDS), value=end, classes=["cr-class-end"])
        solara.Select("Time per quarter", values=list(TIMERS), value=timer, classes=["cr-class-timer"])
        solara.Switch(label="Move the clock as soon as every seat is done", value=auto, classes=["cr-class-auto"])
        solara.Button("Open the class", on_click=create, color="primary", classes=["cr-create"])
        if error.value:
            html(escape(error.value), ["cr-error"])
        summaries = "".join(f"<li><b>{escape(title)}</b>: {escape(text)}</li>" for _, title, text in script_summaries())
        html(f"<div class='cr-small' style='margin-top:8px'>Scripts:<ul>{summaries}</ul>Lesson plans, worksheets and notes are in the docs/classroom folder.</div>")


@solara.component
def SignIn(message: str = ""):
    router = solara.use_router()
    code = solara.use_reactive("")
    key = solara.use_reactive("")
    error = solara.use_reactive(message)

    def sign_in():
        try:
            class_id = get_classroom().teacher_by_code(code.value, key.value)
        except AccessDenied as err:
            error.value = str(err)
            return
        router.push(f"/teacher?c={class_id}&k={key.value.strip()}")

    with div("cr-card"):
        html("<h2>Open your console</h2><p class='cr-help'>The class code and the teacher's key you were given when you opened the class.</p>")
        solara.InputText("Class code", value=code, continuous_update=True, classes=["cr-signin-code"])
        solara.InputText("Teacher's key", value=key, continuous_update=True, password=True, classes=["cr-signin-key"])
        solara.Button("Open the console", on_click=sign_in, color="primary", classes=["cr-signin"])
        if error.value:
            html(escape(error.value), ["cr-error", "cr-denied"])


def _act(error, fn, *args, **kwargs):
    def run():
        error.value = ""
        try:
            fn(*args, **kwargs)
        except (AccessDenied, ClassError) as err:
            error.value = str(err)
    return run


@solara.component
def Controls(version: int, session: ClassSession, class_id: str, key: str):
    room = get_classroom()
    error = solara.use_reactive("")
    confirm_end = solara.use_reactive(False)
    timers = {v: k for k, v in TIMERS.items()}
    timer_label = timers.get(session.settings.timer_s, f"{session.settings.timer_s} seconds")
    open_ = session.status in ("lobby", "running", "paused") and not session.finished
    with div("cr-card", "cr-controls"):
        html("<h2>Clock</h2>")
        with div("cr-buttons"):
            if session.status == "lobby":
                solara.Button("Start the class", on_click=_act(error, room.start, class_id, key), color="primary", classes=["cr-start"])
            solara.Button(f"Simulate {session.quarter_label()} and move on" if open_ else "Simulate the quarter", on_click=_act(error, room.advance, class_id, key),
                          color="primary", disabled=not open_ or session.status == "paused", icon_name="mdi-fast-forward", classes=["cr-advance"])
            if session.status == "paused":
                solara.Button("Resume", on_click=_act(error, room.pause, class_id, key, False), classes=["cr-resume"], icon_name="mdi-play")
            elif open_:
                solara.Button("Pause", on_click=_act(error, room.pause, class_id, key, True), classes=["cr-pause"], icon_name="mdi-pause")
            if open_ and not confirm_end.value:
                solara.Button("End the class", on_click=lambda: confirm_end.set(True), text=True, classes=["cr-end"])
            elif open_:
                html("End now? Students see their debrief and the code stops working.", ["cr-small"], tag="span")
                solara.Button("Yes, end it", on_click=_act(error, room.end, class_id, key), color="error", small=True, classes=["cr-end-confirm"])
                solara.Button("No", on_click=lambda: confirm_end.set(False), text=True, small=True)
        with solara.Row(style={"flex-wrap": "wrap", "align-items": "center"}, gap="14px"):
            solara.Select("Time per quarter", values=list(TIMERS) if timer_label in TIMERS else [timer_label, *TIMERS], value=timer_label,
                          on_value=lambda v: _act(error, room.configure, class_id, key, timer_s=TIMERS.get(v, session.settings.timer_s))(), classes=["cr-timer"], style={"max-width": "200px"})
            solara.Switch(label="Move on when every seat is done", value=session.settings.auto_advance,
                          on_value=lambda v: _act(error, room.configure, class_id, key, auto_advance=v)(), classes=["cr-auto"])
            if session.script is not None:
                solara.Switch(label="Announce scripted news on its date", value=session.settings.auto_injects,
                              on_value=lambda v: _act(error, room.configure, class_id, key, auto_injects=v)(), classes=["cr-auto-injects"])
        if error.value:
            html(escape(error.value), ["cr-error"])


def _roster(session: ClassSession) -> str:
    done = session.ready.get(session.quarter, {})
    rows = []
    for member in session.members.values():
        owner = session.owner_of(member)
        seat = session.seat_of(member)
        plan = session.plans.get((session.quarter, owner), {}) if owner else {}
        ready = owner in done if owner else False
        online = session.online.get(member.id, 0) > 0
        rows.append(f"<tr class='cr-member' data-name='{escape(member.name)}' data-seat='{escape(seat or '')}' data-ready='{int(ready)}'>"
                    f"<td><span class='cr-dot{' cr-on' if online else ''}' title='{'online' if online else 'not connected'}'></span>{escape(member.name)}</td>"
                    f"<td>{escape(SEAT_LABELS.get(seat or '', '—'))}</td><td>{'done' if ready else ('planning' if plan else '')}</td><td>{len(plan)}</td></tr>")
    if not rows:
        return "<div class='cr-small'>Nobody has joined yet.</div>"
    return "<table class='cr-table cr-roster'><tr><th>Student</th><th>Seat</th><th>This quarter</th><th>Changes planned</th></tr>" + "".join(rows) + "</table>"


def _seats(session: ClassSession) -> str:
    done = session.ready.get(session.quarter, {})
    world = session.world(session.world_keys()[0])
    rows = []
    for seat, people in session.seated().items():
        if people:
            lines = session.plan_lines(seat, seat, world)
            plan = "; ".join(f"{p.title}: {p.label}" for p in lines) or "no changes"
            state = "done" if seat in done else "deciding"
        else:
            plan, state = "", "played by the model"
        rows.append(f"<tr class='cr-seat-row' data-seat='{seat}' data-ready='{int(seat in done)}'><td><b>{escape(SEAT_LABELS[seat])}</b></td><td>{escape(', '.join(m.name for m in people))}</td><td>{state}</td><td class='cr-small'>{escape(plan)}</td></tr>")
    return "<table class='cr-table cr-seat-table'><tr><th>Seat</th><th>Team</th><th>This quarter</th><th>Plan so far</th></tr>" + "".join(rows) + "</table>"


_SCORES: dict[tuple[str, str, int], float] = {}


def _score_so_far(session: ClassSession, member_id: str, world) -> float:
    """A student's score up to the last month simulated (computed once per quarter)."""
    key = (session.id, member_id, world.model.tick)
    if key not in _SCORES:
        if len(_SCORES) > 5000:
            _SCORES.clear()
        series = world.series(("date", "malaysia_alignment", "malaysia_magnet_share_nonchina", "malaysia_direct_jobs", "malaysia_export_revenue_usd", "malaysia_incentive_cost_usd", "malaysia_value_added_usd"))
        _SCORES[key] = scorecard(series, world.start_tick, world.model.tick - 1).total
    return _SCORES[key]


def _side_by_side(session: ClassSession) -> str:
    done = session.ready.get(session.quarter, {})
    rows = []
    ai = session.ai_world()
    played = session.quarter > 0
    for member in session.members.values():
        world = session.world(member.id)
        snap = world.snapshot()
        score = ""
        if played and world.model.tick - 1 >= world.start_tick:
            score = f"{_score_so_far(session, member.id, world):.0f}"
        rows.append(f"<tr class='cr-result' data-name='{escape(member.name)}'><td>{escape(member.name)}</td><td>{'done' if member.id in done else ''}</td><td>{snap['alignment']:+.2f}</td><td>{snap['share_12m']:.1%}</td>"
                    f"<td>{snap['jobs']:,.0f}</td><td>US${snap['exports_12m'] / 1e6:,.0f} m</td><td>{snap['tariff']:.0%}</td><td>{score}</td></tr>")
    if played:
        tick = session.quarter_ticks(session.quarter - 1)[-1] + 1
        values = {k: ai.window(c, max(0, tick - w), tick, how) for k, c, w, how in (("a", "malaysia_alignment", 1, "last"), ("s", "malaysia_magnet_share_nonchina", 12, "mean"), ("j", "malaysia_direct_jobs", 1, "last"), ("e", "malaysia_export_revenue_usd", 12, "sum"), ("t", "us_tariff_malaysia", 1, "last"))}
        rows.append(f"<tr class='cr-ai'><td>The model's own Malaysia</td><td></td><td>{values['a']:+.2f}</td><td>{values['s']:.1%}</td><td>{values['j']:,.0f}</td><td>US${values['e'] / 1e6:,.0f} m</td><td>{values['t']:.0%}</td><td></td></tr>")
    if not session.members:
        return "<div class='cr-small'>Nobody has joined yet.</div>"
    return ("<table class='cr-table cr-results'><tr><th>Student</th><th>This quarter</th><th>Alignment</th><th>Non-China magnets (12 m)</th><th>Direct jobs</th><th>Exports (12 m)</th><th>US tariff</th><th>Score so far</th></tr>"
            + "".join(rows) + "</table>")


def _class_chart(session: ClassSession) -> str:
    ai = session.ai_world()
    cal = session.calendar
    lo = max(0, cal.start_tick - 12)
    now = session.quarter_ticks(session.quarter)[0] if not session.finished else cal.end_tick + 1
    dates = ai.series(("date",))["date"]
    xs = charts.years(dates[lo : cal.end_tick + 1])
    start = charts.years(dates[cal.start_tick : cal.start_tick + 1])[0]
    x_range = (xs[0], xs[-1] + 1 / 12)
    lines = []
    if session.mode == "roleplay":
        world = session.world(session.world_keys()[0])
        lines.append(("the class's Malaysia", world.series(("malaysia_alignment",))["malaysia_alignment"][lo:now], "#009E73", None))
    else:
        for i, member in enumerate(list(session.members.values())[:8]):
            world = session.world(member.id)
            lines.append((member.name, world.series(("malaysia_alignment",))["malaysia_alignment"][lo:now], charts.STUDENT_COLORS[i % len(charts.STUDENT_COLORS)], None))
    lines.append(("the model's Malaysia", ai.series(("malaysia_alignment",))["malaysia_alignment"][lo:now], "#777777", "dash"))
    chart = charts.alignment_chart(xs, lines, x_range, start, title="Alignment" + (" (first eight students)" if len(session.members) > 8 and session.mode != "roleplay" else ""), width=620, height=280)
    return f"<div class='cr-chart'>{charts.svg(chart)}</div>"


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
        with div("cr-card", "cr-injects"):
            html(f"<h2>Script: {escape(session.script.title)}</h2><div class='cr-help'>{escape(session.script.description)}</div>"
                 "<div class='cr-help'>Scripted news is announced at the start of the quarter that contains its month and takes effect in that month. Fire it early, or skip it.</div>")
            for row in session.inject_rows():
                with div("cr-decision", f"cr-inject-{row['id']}"):
                    actions = ", ".join(row["actions"]) or "news only"
                    question = f"<div class='cr-small'>Ask: {escape(row['question'])}</div>" if row["question"] else ""
                    html(f"<div><span class='cr-badge cr-{'running' if row['status'] == 'fired' else 'lobby' if row['status'] == 'due' else 'finished'}'>{escape(row['status'])}</span> "
                         f"<b>{escape(row['month'])}</b>: {escape(row['headline'])}</div><div class='cr-small'>{escape(row['text'])} <i>In the model: {escape(actions)}.</i></div>{question}")
                    if row["status"] != "fired" and open_:
                        with div("cr-buttons"):
                            solara.Button("Announce now", on_click=_act(error, room.fire_inject, class_id, key, row["id"]), small=True, outlined=True, classes=[f"cr-fire-{row['id']}"])
                            solara.Button("Skip" if row["status"] != "skipped" else "Undo skip", on_click=_act(error, room.skip_inject, class_id, key, row["id"]), small=True, text=True, classes=[f"cr-skip-{row['id']}"])
    with div("cr-card", "cr-adhoc"):
        html("<h2>Bring in news now</h2><div class='cr-help'>Every student sees it at once. Pick what happens in the model (or news only), "
             "and write the headline students read. It takes effect from the first month of the current quarter.</div>")
        solara.Select("What happens", values=list(ADHOC_ACTIONS), value=preset, classes=["cr-adhoc-action"])
        solara.InputText("Headline", value=headline, continuous_update=True, classes=["cr-adhoc-headline"])
        with div("cr-adhoc-text"):
            solara.InputTextArea("Text for students (optional)", value=text, continuous_update=True, rows=2)
        solara.Button("Send to the class", on_click=send, color="primary", disabled=not open_, classes=["cr-adhoc-fire"])
        if sent.value:
            html(escape(sent.value), ["cr-ok", "cr-sent"])
    if error.value:
        html(escape(error.value), ["cr-error"])
    with div("cr-card"):
        html("<h2>News so far</h2>")
        key_ = session.world_keys()[0] if session.world_keys() else None
        html(news_html(session.news, session.world_news(key_) if key_ and session.mode == "roleplay" else [], month_name), ["cr-news"])


@solara.component
def Downloads(version: int, session: ClassSession, class_id: str, key: str):
    room = get_classroom()

    def results():
        from ..export import results_csv

        return results_csv(room.teacher(class_id, key))

    def scores():
        from ..export import scores_csv

        return scores_csv(room.teacher(class_id, key))

    def summaries():
        from ..export import summaries_pdf

        return summaries_pdf(room.teacher(class_id, key))

    stem = "".join(ch if ch.isalnum() else "_" for ch in session.name.lower()).strip("_") or "class"
    with div("cr-card"):
        html("<h2>Downloads</h2><div class='cr-help'>Made when you click, from everything played so far. The model's own Malaysia (same seed, same news) is included for comparison.</div>")
        for label, fn, filename, mime, css in (
            ("Results by student and quarter (CSV)", results, f"{stem}_results.csv", "text/csv", "cr-download-results"),
            ("Scores against the targets (CSV)", scores, f"{stem}_scores.csv", "text/csv", "cr-download-scores"),
            ("One-page summary per student (PDF)", summaries, f"{stem}_summaries.pdf", "application/pdf", "cr-download-summaries"),
        ):
            with solara.Row(style={"align-items": "center"}, gap="8px"):
                solara.FileDownload(fn, filename=filename, mime_type=mime, children=[solara.Button(filename, icon_name="mdi-download", outlined=True, small=True, classes=[css])])
                html(escape(label), ["cr-small"])


@solara.component
def Results(version: int, session: ClassSession):
    rows = class_scores(session) if session.quarter > 0 else []
    if not rows:
        html("Scores appear after the first quarter.", ["cr-small"])
        return
    body = "".join(f"<tr class='{'cr-ai' if r['seat'] == 'model' else ''}'><td>{escape(r['participant'])}</td><td>{escape(r['seat'])}</td><td>{r['total']:.0f}</td><td>{r['targets_met']}</td>"
                   f"<td>{r['share_value']:.1%}</td><td>US${r['exports_value'] / 1e6:,.0f} m</td><td>{r['jobs_value']:,.0f}</td><td>{r['aligned_value']:.0%}</td></tr>" for r in rows)
    html("<div class='cr-help'>Scores so far against Malaysia's targets (15% of non-China magnets, US$500 m of exports and 2,000 direct jobs in 2030 or the last twelve months played, "
         "and the share of months within ±0.25 alignment), 25 points each.</div>"
         "<table class='cr-table cr-scores cr-class-scores'><tr><th>Who</th><th>Seat</th><th>Score</th><th>Targets met</th><th>Magnet share</th><th>Exports</th><th>Direct jobs</th><th>Months non-aligned</th></tr>" + body + "</table>")


@solara.component
def Console(session: ClassSession, class_id: str, key: str, new: bool, version: int = 0):
    show_key = solara.use_reactive(new)
    tab = solara.use_reactive(0)
    expected = session.expected_owners()
    done = [o for o in expected if o in session.ready.get(session.quarter, {})]
    label = session.quarter_label() if not session.finished else "all quarters played"
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}, gap="10px"):
        html(f"<div class='cr-status cr-console' data-quarter='{session.quarter}' data-status='{escape(session.status)}' data-code='{escape(session.code or '')}' data-done='{len(done)}' data-expected='{len(expected)}'>"
             f"<span class='cr-quarter'>{'Quarter %d of %d: ' % (session.quarter + 1, session.n_quarters) if not session.finished else ''}{escape(label)}</span>{badge(session.status)}"
             f"<span class='cr-who'>{escape(session.name)} · {escape(MODE_LABELS[session.mode])} · {len(done)} of {len(expected)} {'seats' if session.mode == 'roleplay' else 'students'} done</span></div>")
        Countdown(session.deadline if session.status == "running" else None)
    with div("cr-grid"):
        with div("cr-card"):
            html(f"<h2>Join code</h2><div class='cr-code'>{escape(session.code or '')}</div><div class='cr-help'>Students open this site, choose <b>Join a class</b> and type the code "
                 f"(or open <a href='/join?code={escape(session.code or '')}'>/join?code={escape(session.code or '')}</a>). The code works until the class ends.</div>")
            if show_key.value:
                html(f"<div class='cr-banner'>Your teacher's key: <span class='cr-key'>{escape(key)}</span><br>Keep it private. With the join code it opens this console from any "
                     "computer; this page's address holds it too, so bookmark the page and do not project the address bar.</div>")
                solara.Button("Hide the key", on_click=lambda: show_key.set(False), text=True, small=True)
            else:
                solara.Button("Show the teacher's key", on_click=lambda: show_key.set(True), text=True, small=True, classes=["cr-show-key"])
        Controls(version, session, class_id, key)
    with div("cr-main"):
        with solara.lab.Tabs(value=tab, lazy=True):
            with solara.lab.Tab("Class"):
                with div("cr-grid"):
                    with div("cr-card"):
                        html("<h2>Students</h2>" + _roster(session))
                        if session.mode == "roleplay":
                            html("<h3>Seats</h3>" + _seats(session))
                            FreeSeat(version, session, class_id, key)
                    with div("cr-card", "cr-dashboard"):
                        if session.mode == "roleplay":
                            world = session.world(session.world_keys()[0])
                            html(f"<h2>The class's world, end of {escape(month_name(world.label(max(0, world.model.tick - 1))))}</h2>" + malaysia_tiles(world.snapshot()) + _class_chart(session))
                        else:
                            html("<h2>Everyone's Malaysia</h2>" + _side_by_side(session) + _class_chart(session))
            with solara.lab.Tab("News & injects"):
                InjectPanel(version, session, class_id, key)
            with solara.lab.Tab("Results"):
                Results(version, session)
            with solara.lab.Tab("Downloads"):
                Downloads(version, session, class_id, key)


@solara.component
def FreeSeat(version: int, session: ClassSession, class_id: str, key: str):
    room = get_classroom()
    pick = solara.use_reactive(None)
    error = solara.use_reactive("")
    seated = [m for m in session.members.values() if m.seat]
    if not seated:
        return
    names = {f"{m.name} ({SEAT_LABELS[m.seat]})": m.id for m in seated}
    with solara.Row(style={"align-items": "center"}, gap="8px"):
        solara.Select("Free a seat", values=list(names), value=pick, classes=["cr-free-pick"], style={"max-width": "260px"})
        solara.Button("Free it", on_click=_act(error, room.free_seat, class_id, key, names.get(pick.value or "", "")), small=True, outlined=True, disabled=pick.value not in names, classes=["cr-free"])
    if error.value:
        html(escape(error.value), ["cr-error"])


@solara.component
def TeacherPage():
    q = query()
    class_id, key = q.get("c", ""), q.get("k", "")
    room = get_classroom()
    session, problem = None, ""
    if class_id:
        try:
            session = room.teacher(class_id, key)
        except AccessDenied as err:
            problem = f"{err} The teacher's controls need the teacher's key."
    version = use_live(session, ("public", "teacher"), settle=0.25)
    if session is None:
        with div("cr-cards"):
            if not problem:
                CreateClass()
            SignIn(problem)
        return
    Console(session, class_id, key, q.get("new") == "1", version)
