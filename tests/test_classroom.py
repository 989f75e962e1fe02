"""The classroom without a browser: worlds and look-aheads, menus, scoring, roles and trust,
persistence and restarts, the clock, injects, a single-player game played to its debrief, and the
exports."""

from __future__ import annotations

import csv
import io
import time

import pytest

from magnetdiplomacy import MagnetDiplomacyModel
from magnetdiplomacy.classroom import AccessDenied, ClassError, Classroom, JoinError, Store
from magnetdiplomacy.classroom.auth import CODE_ALPHABET, check_secret, hash_secret
from magnetdiplomacy.classroom.export import results_csv, scores_csv, summaries_pdf
from magnetdiplomacy.classroom.game import class_scores, debrief
from magnetdiplomacy.classroom.injects import ADHOC_ACTIONS, ScriptError, list_scripts, load_script, parse_script
from magnetdiplomacy.classroom.menus import KEEP, MenuError, find_choice, seat_menu
from magnetdiplomacy.classroom.session import SHARED
from magnetdiplomacy.classroom.targets import ALIGNMENT_BAND, scorecard
from magnetdiplomacy.classroom.world import Fired, World, WorldError, WorldSpec, rebuild
from magnetdiplomacy.interventions import ACTIONS, SEAT_ACTIONS, SEATS, validate_action

SHORT = {"end": "2027-03"}  # four quarters from April 2026


def same_series(a: World, b: World) -> bool:
    sa, sb = a.series(), b.series()
    return all(list(sa[c]) == list(sb[c]) for c in sa if c != "date") and len(sa["tick"]) == len(sb["tick"])


def roleplay(room, **kwargs):
    class_id, code, key = room.create_class("Test class", "roleplay", **{**SHORT, **kwargs})
    tokens = {}
    for name, seat in (("Ana", "malaysia"), ("Ben", "united_states"), ("Chi", "china")):
        tokens[name] = room.join(code, name)
        room.claim_seat(tokens[name], seat)
    return class_id, code, key, tokens


# ---- worlds ------------------------------------------------------------------------------------


def test_world_starts_where_history_ends_and_moves_a_quarter_at_a_time():
    world = World.new(WorldSpec())
    assert world.model.label_of(world.model.tick) == "2026-04"
    assert not world.model.replaying
    assert world.n_quarters == 19 and world.quarter == 0
    assert world.quarter_label(0) == "April–June 2026"
    world.advance([], ["malaysia"])
    assert world.model.tick == world.start_tick + 3 and world.quarter == 1
    assert world.model.config.controllers.malaysia == "player" and world.model.config.controllers.china == "agent"


def test_world_spec_rejects_impossible_dates():
    for spec in (
        WorldSpec(start="2019-06"),
        WorldSpec(end="2036-12"),
        WorldSpec(start="2026-04", end="2026-04"),
        WorldSpec(scenario="no_such_scenario"),
    ):
        with pytest.raises(WorldError):
            spec.resolved()


def test_worlds_from_one_template_are_independent_and_match_a_fresh_model():
    spec = WorldSpec().resolved()
    a, b = World.new(spec), World.new(spec)
    a.advance([Fired(a.start_tick, "malaysia_revoke_lynas_licence", {})], ["malaysia"])
    b.advance([], ["malaysia"])
    assert a.latest("lynas_licence_valid") == 0.0 and b.latest("lynas_licence_valid") == 1.0
    # the model's own Malaysia: a fresh model with the same seed, every seat played by the model
    fresh = MagnetDiplomacyModel(spec.scenario_config(), rng=spec.seed)
    ai = rebuild(spec, {}, [], 10**6)
    while fresh.running:
        fresh.step()
    theirs = ai.series(["malaysia_alignment"])["malaysia_alignment"]
    assert len(theirs) == ai.end_tick + 1  # the class's world stops at its end month
    assert list(fresh.datacollector.model_vars["malaysia_alignment"])[: len(theirs)] == list(theirs)


def test_rebuild_from_the_journal_is_exact():
    spec = WorldSpec(end="2028-12").resolved()
    live = World.new(spec)
    turns, fired = {}, []
    plan = {
        0: [Fired(0, "malaysia_set_lean", {"lean": 0.5}), Fired(0, "china_escalate", {}, source="inject")],
        1: [Fired(0, "us_set_tariff", {"target": "Malaysia", "rate": 0.4}, seat="united_states")],
        3: [Fired(0, "malaysia_magnet_incentive", {"level": 1.0})],
    }
    for quarter in range(6):
        seats = ["malaysia", "united_states"] if quarter % 2 else ["malaysia"]
        first = live.quarter_ticks(quarter)[0]
        items = [
            Fired(first + (1 if f.source == "inject" else 0), f.action, f.params, f.seat, f.source)
            for f in plan.get(quarter, [])
        ]
        live.advance(items, seats)
        turns[quarter] = seats
        fired += items
    again = rebuild(spec, turns, fired, 6)
    assert again.model.tick == live.model.tick
    assert same_series(live, again)
    assert [(r["tick"], r["description"]) for r in live.model.event_log] == [
        (r["tick"], r["description"]) for r in again.model.event_log
    ]


def test_outlook_shows_a_choices_trade_offs_against_no_change():
    world = World.new(WorldSpec().resolved())
    revoke = world.compare([("malaysia_revoke_lynas_licence", {})], "malaysia", ["malaysia"])
    diffs = {d.metric.key: d for d in revoke.differences}
    assert list(diffs) == ["alignment", "share", "jobs", "exports", "tariff", "fiscal"]
    assert diffs["exports"].deltas[0] < 0 and diffs["jobs"].deltas[0] < 0  # Kuantan stops
    assert len(revoke.labels) == 2 and revoke.labels[0] == "Apr 2026 – Mar 2027"
    nothing = world.compare([], "malaysia", ["malaysia"])
    assert [d.metric.key for d in nothing.differences] == list(diffs)
    assert all(abs(d) < 1e-12 for diff in nothing.differences for d in diff.deltas)
    assert world.outlook([("malaysia_revoke_lynas_licence", {})], ["malaysia"]) is world.outlook(
        [("malaysia_revoke_lynas_licence", {})], ["malaysia"]
    )
    assert (
        world.model.tick == world.start_tick and world.latest("lynas_licence_valid") == 1.0
    )  # looking ahead changes nothing


# ---- menus ----------------------------------------------------------------------------------------


def test_every_seat_menu_offers_only_its_own_valid_actions():
    world = World.new(WorldSpec().resolved())
    world.advance([], [])
    for seat in SEATS:
        menu = seat_menu(seat, world.model)
        assert menu, seat
        for decision in menu:
            assert decision.choices[0].key == KEEP and decision.choices[0].action is None
            for choice in decision.choices[1:]:
                assert choice.action in SEAT_ACTIONS[seat], (seat, choice.action)
                validate_action(choice.action, choice.params)
    with pytest.raises(MenuError):
        find_choice("china", world.model, "lean", "lean_us50")  # Malaysia's decision is not China's
    with pytest.raises(MenuError):
        find_choice("malaysia", world.model, "lean", "lean_us77")


def test_malaysia_menu_follows_the_state_of_the_world():
    world = World.new(WorldSpec().resolved())
    menu = {d.key: d for d in seat_menu("malaysia", world.model)}
    assert {c.key for c in menu["licence"].choices} == {KEEP, "renew", "tighten", "revoke"}
    assert [c.key for c in menu["ore_ban"].choices] == [KEEP, "lift"]  # the ban is in force in 2026
    offers = [k for k in menu if k.startswith("offer:")]
    assert offers == [f"offer:{o.kind}" for o in world.model.offers.open_for("Malaysia", world.model.tick)]
    world.advance([Fired(world.start_tick, "malaysia_revoke_lynas_licence", {})], ["malaysia"])
    menu = {d.key: d for d in seat_menu("malaysia", world.model)}
    assert [c.key for c in menu["licence"].choices] == [KEEP, "renew"]


# ---- scoring --------------------------------------------------------------------------------------


def test_scorecard_against_the_targets():
    import datetime as dt

    dates = [dt.date(2029 + (m // 12), m % 12 + 1, 1) for m in range(24)]  # 2029 and 2030
    series = {
        "date": dates,
        "malaysia_magnet_share_nonchina": [0.075] * 24,
        "malaysia_export_revenue_usd": [50e6] * 24,  # US$600 m a year
        "malaysia_direct_jobs": [1000.0] * 23 + [2500.0],
        "malaysia_alignment": [0.0] * 12 + [0.3] * 6 + [0.1] * 6,
        "malaysia_incentive_cost_usd": [1e6] * 24,
        "malaysia_value_added_usd": [10e6] * 24,
    }
    card = scorecard(series, first_played=0)
    assert card.window == "2030"
    assert card.get("share").points == pytest.approx(12.5) and not card.get("share").met
    assert card.get("exports").points == 25 and card.get("exports").met
    assert card.get("jobs").value == 2500 and card.get("jobs").met
    assert (
        card.get("aligned").value == pytest.approx(18 / 24) and not card.get("aligned").met
    )  # six months outside ±0.25
    assert card.total == pytest.approx(12.5 + 25 + 25 + 25 * 18 / 24)
    assert ALIGNMENT_BAND == 0.25
    short = scorecard({k: v[:10] for k, v in series.items()}, first_played=0)
    assert short.window == "Jan 2029 – Oct 2029" and short.get("exports").value == pytest.approx(600e6)


# ---- a single-player game ---------------------------------------------------------------------------


def test_a_single_player_game_played_to_the_end_produces_a_debrief_with_scores(room):
    token = room.start_solo("Dana")
    session, member = room.member(token)
    assert session.mode == "solo" and session.n_quarters == 19 and session.status == "running"
    room.choose(token, "incentive", "level_100")
    comparison = room.trade_offs(token, "incentive", "level_100")
    fiscal = next(d for d in comparison.differences if d.metric.key == "fiscal")
    assert fiscal.deltas[1] > 0  # the incentive costs the budget once JS Link runs
    quarters = 0
    while not session.finished:
        menu = {d.key for d in seat_menu("malaysia", session.world(member.id).model)}
        for key in sorted(menu):
            if key.startswith("offer:"):
                room.choose(token, key, "accept" if "korea" in key else "decline")
        assert room.set_ready(token) is True  # in a solo game "done" moves the clock
        quarters += 1
    assert quarters == 19 and session.status == "finished"
    with pytest.raises(ClassError):
        room.set_ready(token)
    brief = debrief(session, member)
    assert brief.player.window == "2030" and brief.model.window == "2030"
    assert [s.key for s in brief.player.scores] == ["share", "exports", "jobs", "aligned"]
    for card in (brief.player, brief.model):
        assert 0 <= card.total <= 100
        for score in card.scores:
            assert 0 <= score.points <= 25
            if score.key != "aligned":
                assert score.met == (score.value >= score.target)
    assert brief.decisions[0]["quarter"] == "April–June 2026"
    assert "Incentive for the magnet plant: Set it to 100% of the maximum" in [
        d["text"] for d in brief.decisions if d["quarter"] == "April–June 2026"
    ]
    assert "the model's own Malaysia" in brief.verdict and f"{brief.player.total:.0f} of 100" in brief.verdict
    # the comparison is the model's own Malaysia with the same seed
    spec = session.spec
    fresh = MagnetDiplomacyModel(spec.scenario_config(), rng=spec.seed)
    while fresh.running:
        fresh.step()
    assert brief.ai["malaysia_alignment"][-1] == pytest.approx(
        fresh.datacollector.model_vars["malaysia_alignment"][brief.last_tick]
    )
    # until the game starts the two worlds are the same history
    mine = session.world(member.id).series(["malaysia_alignment"])["malaysia_alignment"][: spec_start(session)]
    assert mine == list(fresh.datacollector.model_vars["malaysia_alignment"][: spec_start(session)])


def spec_start(session) -> int:
    return session.calendar.start_tick


# ---- roles and trust -------------------------------------------------------------------------------


def test_teacher_controls_need_the_teachers_key(room):
    class_id, code, key, tokens = roleplay(room)
    actions = [
        lambda k: room.advance(class_id, k),
        lambda k: room.pause(class_id, k, True),
        lambda k: room.start(class_id, k),
        lambda k: room.fire_adhoc(class_id, k, "Headline", "", "china_escalate"),
        lambda k: room.configure(class_id, k, timer_s=60),
        lambda k: room.end(class_id, k),
        lambda k: room.teacher(class_id, k),
        lambda k: room.free_seat(class_id, k, room.member(tokens["Ben"])[1].id),
    ]
    for attempt in (None, "", "wrong", tokens["Ana"], code, key + "x", key.upper()):
        for act in actions:
            with pytest.raises(AccessDenied):
                act(attempt)
    session = room.session(class_id)
    assert session.quarter == 0 and session.status == "lobby" and not session.news
    with pytest.raises(AccessDenied):
        room.teacher_by_code(code, tokens["Ana"])
    assert room.teacher_by_code(code.lower(), key) == class_id
    room.advance(class_id, key)
    assert session.quarter == 1


def test_a_student_acts_only_for_their_own_seat(room):
    class_id, code, key, tokens = roleplay(room)
    room.start(class_id, key)
    with pytest.raises(AccessDenied):
        room.choose(tokens["Ben"], "lean", "lean_us50")  # Malaysia's decision, Ben holds the US seat
    with pytest.raises(AccessDenied):
        room.choose(tokens["Chi"], "tariff_malaysia", "rate_40")
    with pytest.raises(AccessDenied):
        room.trade_offs(tokens["Chi"], "lean", "lean_us50")
    with pytest.raises(AccessDenied):
        room.choose("not-a-token", "lean", "lean_us50")
    room.choose(tokens["Ana"], "lean", "lean_us50")
    session = room.session(class_id)
    assert session.plans[(0, "malaysia")] == {"lean": ("lean_us50", room.member(tokens["Ana"])[1].id)}
    # a student without a seat decides nothing
    idle = room.join(code, "Dee")
    with pytest.raises(ClassError):
        room.choose(idle, "lean", "lean_none")
    # a seat can be a team: Dee joins Malaysia and may then decide for it
    room.claim_seat(idle, "malaysia")
    room.choose(idle, "incentive", "level_50")
    assert set(session.plans[(0, "malaysia")]) == {"lean", "incentive"}
    # seats have room for a team of six; then they are full
    for i in range(4):
        room.claim_seat(room.join(code, f"Extra {i}"), "malaysia")
    with pytest.raises(ClassError, match="full"):
        room.claim_seat(room.join(code, "One too many"), "malaysia")


def test_join_codes_expire_with_the_class(room):
    class_id, code, key = room.create_class("Short", "individual", hours=0.5 / 3600, **SHORT)
    assert set(code) <= set(CODE_ALPHABET) and len(code) == 8
    with pytest.raises(JoinError):
        room.join("ZZZZ-ZZZZ", "Eve")
    time.sleep(0.6)
    with pytest.raises(JoinError):
        room.join(code, "Eve")
    room.tick_timers()
    assert room.session(class_id).status == "expired"
    class_id, code, key = room.create_class("Ended", "individual", **SHORT)
    token = room.join(f" {code[:3].lower()}-{code[3:]} ", "Eve")  # typed loosely
    room.end(class_id, key)
    with pytest.raises(JoinError):
        room.join(code, "Fay")
    with pytest.raises(ClassError):
        room.choose(token, "lean", "lean_none")
    assert room.member(token)[1].name == "Eve"  # the student can still read their results


def test_secrets_are_stored_only_as_hashes(room, db):
    class_id, code, key, tokens = roleplay(room)
    raw = (
        db.read_bytes() + (db.parent / (db.name + "-wal")).read_bytes()
        if (db.parent / (db.name + "-wal")).exists()
        else db.read_bytes()
    )
    for secret in (key, *tokens.values()):
        assert secret.encode() not in raw
    row = room.store.class_row(class_id)
    assert check_secret(key, row["teacher_hash"], class_id) and not check_secret(key, row["teacher_hash"], "other")
    assert room.store.member_by_token_hash(hash_secret(tokens["Ana"]))["name"] == "Ana"


# ---- the clock ------------------------------------------------------------------------------------------


def test_the_clock_moves_when_every_seat_is_done_but_not_while_paused(room):
    class_id, code, key, tokens = roleplay(room)
    session = room.session(class_id)
    for token in tokens.values():
        room.set_ready(token)
    assert session.quarter == 0  # in the lobby, the teacher starts the class
    room.start(class_id, key)
    assert session.quarter == 1  # everyone was already done
    room.set_ready(tokens["Ana"])
    room.choose(tokens["Ana"], "lean", "lean_none")  # changing the plan withdraws "done"
    assert "malaysia" not in session.ready[1]
    room.pause(class_id, key, True)
    with pytest.raises(ClassError, match="paused"):
        room.set_ready(tokens["Ana"])
    with pytest.raises(ClassError):
        room.advance(class_id, key)
    room.pause(class_id, key, False)
    for token in tokens.values():
        room.set_ready(token)
    assert session.quarter == 2
    room.configure(class_id, key, auto_advance=False)
    for token in tokens.values():
        room.set_ready(token)
    assert session.quarter == 2
    room.advance(class_id, key)
    assert session.quarter == 3


def test_the_timer_moves_the_clock_and_survives_a_restart(db):
    room = Classroom(Store(db), timers=False)
    class_id, code, key = room.create_class("Timed", "roleplay", timer_s=60, **SHORT)
    room.start(class_id, key)
    session = room.session(class_id)
    deadline = session.deadline
    assert deadline is not None
    room.tick_timers(deadline - 1)
    assert session.quarter == 0
    room.tick_timers(deadline + 0.1)
    assert session.quarter == 1 and session.deadline > deadline
    room.close()
    again = Classroom(Store(db), timers=False)
    restored = again.session(class_id)
    assert restored.deadline == pytest.approx(session.deadline) and restored.settings.timer_s == 60
    again.tick_timers(restored.deadline + 0.1)
    assert restored.quarter == 2
    again.close()


def test_the_model_plays_the_empty_seats(room):
    class_id, code, key = room.create_class("One seat", "roleplay", end="2028-12")
    token = room.join(code, "Ana")
    room.claim_seat(token, "malaysia")
    for _ in range(4):
        room.advance(class_id, key)
    world = room.session(class_id).world(SHARED)
    controllers = world.model.config.controllers
    assert controllers.malaysia == "player" and controllers.united_states == "agent" and controllers.china == "agent"
    agents = {r["actor"] for r in world.model.event_log if r["source"] == "agent" and r["tick"] >= world.start_tick}
    assert {"United States", "China"} <= agents  # both empty seats act by the model's rules


# ---- persistence ------------------------------------------------------------------------------------------


def test_a_restart_brings_the_class_back_exactly(db):
    room = Classroom(Store(db), timers=False)
    class_id, code, key = room.create_class("Persisted", "roleplay", script="after_the_truce", end="2027-12")
    tokens = {}
    for name, seat in (("Ana", "malaysia"), ("Ben", "united_states"), ("Chi", "china")):
        tokens[name] = room.join(code, name)
        room.claim_seat(tokens[name], seat)
    room.start(class_id, key)
    room.choose(tokens["Ana"], "lean", "lean_us25")
    room.choose(tokens["Ben"], "tariff_malaysia", "rate_40")
    for token in tokens.values():
        room.set_ready(token)
    room.fire_adhoc(class_id, key, "Typhoon closes Kuantan port", "For a month.", None)
    room.fire_adhoc(class_id, key, "China halts magnet licences", "", "china_suspend_magnet_licences")
    room.advance(class_id, key)
    room.skip_inject(class_id, key, "korea")
    room.choose(tokens["Chi"], "controls", "escalate")  # planned, not yet simulated
    room.set_ready(tokens["Chi"])
    before = room.session(class_id)
    world_before = before.world(SHARED)
    room.close()

    again = Classroom(Store(db), timers=False)
    after, ana = again.member(tokens["Ana"])
    assert after is not before and after.id == class_id
    assert (after.quarter, after.status, after.code) == (2, "running", code)
    assert {m.name: m.seat for m in after.members.values()} == {
        "Ana": "malaysia",
        "Ben": "united_states",
        "Chi": "china",
    }
    assert after.plans[(2, "china")]["controls"][0] == "escalate" and "china" in after.ready[2]
    assert [n.headline for n in after.news] == [n.headline for n in before.news]
    assert after.inject_status == before.inject_status and after.inject_status["korea"] == "skipped"
    assert same_series(world_before, after.world(SHARED))
    assert [f.to_dict() for _, _, f in after.fired] == [f.to_dict() for _, _, f in before.fired]
    # and the class carries on identically in both
    for room_ in (again,):
        room_.advance(class_id, key)
    # the script's news escalates China's controls this quarter too: it overrules Chi's escalation
    assert [f.source for _, q, f in after.fired if q == 2 and f.seat == "china"] == ["overruled"]
    world_before.advance(
        [f for w, q, f in before.fired if f.tick in world_before.quarter_ticks(2)]
        + [Fired(world_before.quarter_ticks(2)[0], "china_escalate", {}, "china", "overruled")],
        ["malaysia", "united_states", "china"],
    )
    assert same_series(world_before, after.world(SHARED))
    again.close()


def test_individual_class_with_a_late_joiner_survives_a_restart(db):
    room = Classroom(Store(db), timers=False)
    class_id, code, key = room.create_class("Individual", "individual", **SHORT)
    a = room.join(code, "Ana")
    room.choose(a, "incentive", "level_75")
    room.advance(class_id, key)
    b = room.join(code, "Ben")  # joins in the second quarter: the model played Malaysia until now
    room.choose(b, "lean", "lean_china25")
    room.advance(class_id, key)
    session = room.session(class_id)
    worlds = {m.name: session.world(m.id) for m in session.members.values()}
    assert not same_series(worlds["Ana"], worlds["Ben"])
    room.close()
    again = Classroom(Store(db), timers=False)
    restored = again.session(class_id)
    for member in restored.members.values():
        assert same_series(worlds[member.name], restored.world(member.id))
    assert restored.members[again.member(b)[1].id].joined_quarter == 1
    again.close()


# ---- injects ------------------------------------------------------------------------------------------------


def test_every_inject_script_loads_and_runs(room):
    names = sorted(list_scripts())
    assert {
        "april_2025_licensing",
        "october_2025_escalation",
        "lynas_licence_decision",
        "after_the_truce",
        "full_unit_2025_2030",
    } <= set(names)
    for name in names:
        script = load_script(name)
        assert script.title and script.description and script.injects
        for inject in script.injects:
            for action in inject.actions:
                assert action.action in ACTIONS
        spec = WorldSpec(
            script.scenario,
            None,
            script.start,
            script.end,
            tuple(script.exclude),
            tuple(sorted(script.overrides.items())),
        ).resolved()
        World.new(spec)


def test_scripted_injects_reach_every_world_on_their_quarter(room):
    class_id, code, key = room.create_class("Escalation", "individual", script="october_2025_escalation")
    tokens = [room.join(code, name) for name in ("Ana", "Ben")]
    session = room.session(class_id)
    assert session.quarter_label(0) == "August–October 2025"
    assert [n.inject_id for n in session.news] == ["scene", "escalation"]  # October falls in the first quarter
    room.advance(class_id, key)
    assert [n.inject_id for n in session.news] == ["scene", "escalation", "truce"]
    room.advance(class_id, key)
    for token in tokens:
        world = session.world(room.member(token)[1].id)
        kinds = [(r["action"], r["tick"]) for r in world.model.event_log if r["source"] == "user"]
        assert ("china_extraterritorial", world.model.tick_at("2025-10")) in kinds
        assert ("china_suspend_controls", world.model.tick_at("2025-11")) in kinds
    ai = session.ai_world()
    assert any(r["action"] == "china_tech_ban" for r in ai.model.event_log)  # the comparison world gets the news too
    assert not any(r["source"] == "events.csv:E047" for r in ai.model.event_log)  # left out of the replay


def test_teacher_can_fire_early_skip_and_write_news(room):
    class_id, code, key = room.create_class("Truce", "roleplay", script="after_the_truce")
    session = room.session(class_id)
    rows = {r["id"]: r["status"] for r in session.inject_rows()}
    assert rows["scene"] == "fired" and rows["lapse"] == "pending"
    room.fire_inject(class_id, key, "lapse")  # early: takes effect now
    assert any(f.action == "china_escalate" and f.tick == session.calendar.start_tick for _, _, f in session.fired)
    with pytest.raises(ClassError):
        room.fire_inject(class_id, key, "lapse")
    room.skip_inject(class_id, key, "korea")
    for _ in range(5):
        room.advance(class_id, key)
    assert not any(f.action == "korea_offer_partnership" for _, _, f in session.fired)
    with pytest.raises(ClassError):
        room.fire_adhoc(class_id, key, "x")
    with pytest.raises(ClassError):
        room.fire_adhoc(class_id, key, "Bad news", "", "us_set_tariff", {})  # needs a rate or a change
    for action, params in ADHOC_ACTIONS.values():
        if action:
            validate_action(action, params)
    room.fire_adhoc(class_id, key, "Budget day", "The minister speaks.")
    assert session.news[-1].kind == "teacher" and session.news[-1].headline == "Budget day"


def test_script_errors_name_the_problem():
    with pytest.raises(ScriptError, match="injects"):
        parse_script(
            {
                "name": "x",
                "title": "X",
                "injects": [{"date": "2026-05", "headline": "News", "actions": [{"action": "no_such_action"}]}],
            }
        )
    with pytest.raises(ScriptError, match="outside"):
        parse_script(
            {
                "name": "x",
                "title": "X",
                "start": "2026-04",
                "end": "2027-03",
                "injects": [{"date": "2028-01", "headline": "Late news"}],
            }
        )
    with pytest.raises(ScriptError):
        load_script("no_such_script")


# ---- exports --------------------------------------------------------------------------------------------------


def test_exports_results_scores_and_one_page_summaries(room):
    class_id, code, key, tokens = roleplay(room)
    room.start(class_id, key)
    room.choose(tokens["Ana"], "lean", "lean_us50")
    room.advance(class_id, key)
    room.advance(class_id, key)
    session = room.teacher(class_id, key)
    rows = list(csv.DictReader(io.StringIO(results_csv(session).decode())))
    assert len(rows) == 3 * 2 + 2  # three students and the model's Malaysia, two quarters
    first = next(r for r in rows if r["participant"] == "Ana" and r["quarter"] == "1")
    assert first["decisions"] == "How far to lean: Lean towards the US" and first["seat"] == "Malaysia"
    assert float(first["direct_jobs_end"]) > 0 and -1 <= float(first["alignment_end"]) <= 1
    scores = list(csv.DictReader(io.StringIO(scores_csv(session).decode())))
    assert {r["participant"] for r in scores} >= {"Ana", "The model's own Malaysia (same seed)"}
    assert all(0 <= float(r["total"]) <= 100 for r in scores)
    assert len(class_scores(session)) == len(scores)
    pdf = summaries_pdf(session)
    assert (
        pdf.startswith(b"%PDF-")
        and pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") + pdf.count(b"/Type /Page>") >= 3
    )


# ---- materials -------------------------------------------------------------------------------------------------


def test_lesson_materials_are_complete_and_their_links_and_scripts_exist():
    import re
    from pathlib import Path

    folder = Path(__file__).resolve().parents[1] / "docs" / "classroom"
    expected = {
        "README.md",
        "lesson_45.md",
        "lesson_90.md",
        "unit.md",
        "worksheet_45.md",
        "worksheet_90.md",
        "worksheet_unit.md",
        "facilitator_notes.md",
        "debrief_questions.md",
        "role_cards.md",
        "background.md",
    }
    assert expected <= {p.name for p in folder.glob("*.md")}
    scripts = set(list_scripts())
    for path in folder.glob("*.md"):
        text = path.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)#]+)\)", text):
            if not target.startswith("http"):
                assert (path.parent / target).resolve().exists(), f"{path.name}: broken link {target}"
        for name in re.findall(r"`([a-z0-9_]+_20\d\d[a-z0-9_]*|after_the_truce|lynas_licence_decision)`", text):
            assert name in scripts, f"{path.name}: no inject script '{name}'"
    for plan in ("lesson_45.md", "lesson_90.md", "unit.md"):
        text = (folder / plan).read_text(encoding="utf-8")
        assert "Learning outcomes" in text and "worksheet" in text.lower() and "| min |" in text
