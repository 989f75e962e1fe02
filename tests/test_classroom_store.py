"""The class database can be trusted: one server writes it, a decision is applied exactly once (even
on a database an earlier version wrote twice), a database deleted, replaced or made read-only under
the server is noticed and changes are refused with a clear message while classes are still served,
a read-only or unusable database at start is served for viewing without a crash, and a class's
options are checked where they enter (one clear line each, nothing written)."""

from __future__ import annotations

import contextlib
import json
import math
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from magnetdiplomacy.classroom import ClassError, Classroom, Store, dbfile
from magnetdiplomacy.classroom.dbfile import DatabaseInUse, DatabaseUnavailable
from magnetdiplomacy.classroom.records import SHARED
from magnetdiplomacy.classroom.store import SCHEMA

SHORT = {"end": "2027-03"}  # four quarters from April 2026


def us_tariff(session, target: str) -> float:
    world = session.world(SHARED)
    return world.model.controls.tariff("United States", target, world.model.tick - 1)


def opened(db: Path, **options) -> tuple[Classroom, str, str, str]:
    """A role-play class on ``db`` with Ana on the US seat, started (the clock moves when told)."""
    room = Classroom(Store(db, **options), timers=False)
    class_id, code, key = room.create_class("Trust", "roleplay", auto_advance=False, **SHORT)
    token = room.join(code, "Ana")
    room.claim_seat(token, "united_states")
    room.start(class_id, key)
    return room, class_id, key, token


def student_rows(store: Store, class_id: str) -> list[dict]:
    return [r for r in store.fired(class_id) if r["source"] == "student"]


@contextlib.contextmanager
def read_only(*paths: Path):
    """``paths`` (files or folders) made read-only: by mode bits, or for root (whom modes do not stop)
    with the immutable attribute; skips the test where neither is possible."""
    if os.geteuid() != 0:
        modes = {p: p.stat().st_mode for p in paths}
        for p in paths:
            p.chmod(0o555 if p.is_dir() else 0o444)
        try:
            yield
        finally:
            for p, mode in modes.items():
                p.chmod(mode)
        return
    done = []
    try:
        for p in paths:
            if subprocess.run(["chattr", "+i", str(p)], capture_output=True).returncode != 0:
                pytest.skip("cannot make a file read-only for root here (chattr +i failed)")
            done.append(p)
        yield
    finally:
        for p in done:
            subprocess.run(["chattr", "-i", str(p)], check=True)


# ---- one writer ----------------------------------------------------------------------------------------

HOLDER = textwrap.dedent(
    """
    import sys, time
    from magnetdiplomacy.classroom.store import Store
    Store(sys.argv[1])
    print("holding", flush=True)
    time.sleep(600)
    """
)


def test_a_second_server_on_the_database_is_refused_naming_the_database_and_the_process(tmp_path):
    db = tmp_path / "classroom.sqlite"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(db)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        with pytest.raises(DatabaseInUse) as refused:
            Classroom(Store(db), timers=False)
        message = str(refused.value)
        assert str(db) in message and f"process {holder.pid}" in message and "\n" not in message
        assert "MAGNETDIPLOMACY_CLASSROOM_DB" in message
        # a store that prepares classes beside the running server, or only reads, is let in
        Store(db, lock=False).close()
        Store(db, read_only=True).close()
    finally:
        holder.kill()  # kill -9: the system drops the lock with the process
        holder.wait()
    store = Store(db)
    assert (db.parent / "classroom.sqlite.lock").read_text().strip() == str(os.getpid())
    store.close()


def test_stores_of_one_process_share_the_writer_lock(tmp_path):
    db = tmp_path / "classroom.sqlite"
    first, second = Store(db), Store(db)  # a test reopening its database to simulate a restart
    first.close()
    second.insert_class({"id": "c1", "quarter": 0})
    with pytest.MonkeyPatch.context() as patch:  # the store module loaded again (a server's dev reload)
        patch.setattr(dbfile, "_HELD", {})
        Store(db).close()
    second.close()
    Store(db).close()


# ---- decisions exactly once ------------------------------------------------------------------------


def test_two_servers_on_one_database_apply_a_decision_once(tmp_path):
    """The review's case: a second server (here a second store, without the lock) that loaded the
    class before the first one moved the clock cannot play the same quarter again."""
    db = tmp_path / "classroom.sqlite"
    a, class_id, key, token = opened(db)
    before = us_tariff(a.session(class_id), "China")
    a.choose(token, "tariff_china", "raise_10")
    b = Classroom(Store(db, lock=False), timers=False)
    assert b.session(class_id).quarter == 0
    a.advance(class_id, key)
    with pytest.raises(ClassError, match="simulated already"):
        b.advance(class_id, key)
    assert b.session(class_id).quarter == 1  # reloaded as the database has it
    restarted = Classroom(Store(db), timers=False).session(class_id)
    assert us_tariff(restarted, "China") == pytest.approx(before + 0.10)  # not + 0.20
    assert len(student_rows(restarted.store, class_id)) == 1


def test_a_fired_key_and_a_quarter_are_recorded_once(tmp_path):
    store = Store(tmp_path / "classroom.sqlite")
    store.insert_class({"id": "c1", "quarter": 0})
    item = {"tick": 3, "action": "us_set_tariff", "params": {"target": "China", "change": 0.1}}
    item |= {"seat": "united_states", "source": "student", "label": "Tariff", "who": "Ana"}
    assert store.add_fired("c1", SHARED, 0, item, "q0:united_states:tariff_china")
    assert not store.add_fired("c1", SHARED, 0, item, "q0:united_states:tariff_china")
    assert store.add_fired("c1", "other-world", 0, item, "q0:united_states:tariff_china")
    assert store.claim_quarter("c1", 0, status="running")
    assert not store.claim_quarter("c1", 0, status="running")
    assert store.class_row("c1")["quarter"] == 1


def test_a_database_of_version_2_with_a_decision_recorded_twice_opens_and_applies_it_once(tmp_path):
    db = tmp_path / "classroom.sqlite"
    room, class_id, key, token = opened(db)
    before = us_tariff(room.session(class_id), "China")
    room.choose(token, "tariff_china", "raise_10")
    room.advance(class_id, key)
    room.store.close()
    # back to version 2: no key column, no index, and the decision recorded twice (two servers)
    raw = sqlite3.connect(db)
    columns = [r[1] for r in raw.execute("PRAGMA table_info(fired)") if r[1] not in ("id", "key")]
    listed = ", ".join(columns)
    raw.executescript(
        f"DROP INDEX fired_once; CREATE TABLE old AS SELECT id, {listed} FROM fired; DROP TABLE fired;"
        f"ALTER TABLE old RENAME TO fired; INSERT INTO fired ({listed}) SELECT {listed} FROM fired "
        "WHERE source = 'student'; UPDATE meta SET value = '2' WHERE key = 'schema';"
    )
    raw.commit()
    raw.close()
    again = Classroom(Store(db), timers=False)
    assert len(student_rows(again.store, class_id)) == 2  # nothing is deleted
    session = again.session(class_id)
    assert us_tariff(session, "China") == pytest.approx(before + 0.10)
    raw = sqlite3.connect(db)
    assert "key" in [r[1] for r in raw.execute("PRAGMA table_info(fired)")]
    assert raw.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone() == ("3",)
    assert raw.execute("SELECT count(*) FROM sqlite_master WHERE name = 'fired_once'").fetchone() == (1,)


def test_a_wal_database_left_by_a_killed_server_of_version_2_opens_with_nothing_lost(tmp_path):
    db = tmp_path / "classroom.sqlite"
    killed = textwrap.dedent(
        f"""
        import os, sqlite3
        db = sqlite3.connect({str(db)!r}, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA wal_autocheckpoint=0")
        db.executescript({SCHEMA!r})
        db.execute("INSERT INTO members (id, class_id, name) VALUES ('m1', 'c1', 'Ana')")
        os._exit(9)
        """
    )
    subprocess.run([sys.executable, "-c", killed], check=False)
    assert (tmp_path / "classroom.sqlite-wal").exists()
    store = Store(db)
    assert [m["name"] for m in store.members("c1")] == ["Ana"]
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert not (tmp_path / "classroom.sqlite-wal").exists()


# ---- a database that goes away or becomes read-only under the server ------------------------------


def test_a_database_deleted_under_the_server_is_noticed_changes_are_refused_and_a_copy_is_saved(tmp_path):
    db = tmp_path / "classroom.sqlite"
    room, class_id, key, token = opened(db)
    db.unlink()
    room.watch_database()  # what the timer does four times a second
    assert "has been deleted" in room.store.problem and str(tmp_path) not in room.store.problem
    with pytest.raises(DatabaseUnavailable, match="Changes cannot be saved: the class database has been deleted"):
        room.choose(token, "tariff_china", "raise_10")
    with pytest.raises(ClassError, match="cannot be saved"):
        room.advance(class_id, key)
    with pytest.raises(ClassError, match="cannot be saved"):
        room.create_class("Another", "individual", **SHORT)
    # still served: the student's page and the teacher's console read from memory
    session, member = room.member(token)
    assert member.name == "Ana" and session.quarter == 0 and room.teacher(class_id, key).plans == {}
    (copy,) = tmp_path.glob("classroom.saved-*.sqlite")
    copy.rename(db)  # what the log says to do
    restarted = Classroom(Store(db, lock=False), timers=False)
    assert restarted.member(token)[1].name == "Ana"


def test_a_database_replaced_under_the_server_is_never_written(tmp_path):
    db = tmp_path / "classroom.sqlite"
    room, class_id, key, token = opened(db)
    other = tmp_path / "other.sqlite"
    Store(other).close()
    os.replace(other, db)
    with pytest.raises(DatabaseUnavailable, match="replaced by another file"):
        room.choose(token, "tariff_china", "raise_10")
    assert Store(db, lock=False).class_row(class_id) is None  # the other file is untouched
    assert list(tmp_path.glob("classroom.saved-*.sqlite"))


def test_a_database_made_read_only_under_the_server_refuses_changes_without_a_crash_and_recovers(tmp_path):
    db = tmp_path / "classroom.sqlite"
    room, class_id, key, token = opened(db)
    with read_only(db):
        room.watch_database()
        assert "is read-only" in room.store.problem
        with pytest.raises(DatabaseUnavailable, match="read-only"):
            room.choose(token, "tariff_china", "raise_10")
        assert room.member(token)[1].name == "Ana"  # reading goes on
        room.tick_timers()
    room.watch_database()
    assert room.store.problem is None
    room.choose(token, "tariff_china", "raise_10")  # saved again
    assert Store(db, lock=False).plans(class_id)


def test_a_write_that_fails_half_way_leaves_the_classes_readable(tmp_path, monkeypatch):
    if os.geteuid() != 0:
        pytest.skip("only the immutable attribute (root) stops writes through a file already open")
    db = tmp_path / "classroom.sqlite"
    room, class_id, key, token = opened(db)
    with read_only(db):
        # the file turns read-only between the look before the change and the write itself
        monkeypatch.setattr(room.store.watch, "check", lambda: (None, False))
        with pytest.raises(DatabaseUnavailable, match="could not be written"):
            room.choose(token, "tariff_china", "raise_10")
        assert room.store.class_row(class_id)["name"] == "Trust" and room.member(token)[1].name == "Ana"
        monkeypatch.undo()
        assert "could not be written" in room.store.check()  # for good: the file is read as it stands


def test_a_read_only_folder_under_the_server_refuses_changes(tmp_path):
    folder = tmp_path / "classes"
    folder.mkdir()
    room, class_id, key, token = opened(folder / "classroom.sqlite")
    with read_only(folder):
        with pytest.raises(DatabaseUnavailable, match="read-only folder"):
            room.choose(token, "tariff_china", "raise_10")
    room.choose(token, "tariff_china", "raise_10")


# ---- a database that cannot be written at start ----------------------------------------------------


def test_a_read_only_database_at_start_serves_its_classes_for_viewing(tmp_path):
    db = tmp_path / "classroom.sqlite"
    room, class_id, key, token = opened(db)
    room.choose(token, "tariff_china", "raise_10")
    room.advance(class_id, key)
    room.store.close()
    with read_only(db, tmp_path):
        viewer = Classroom(Store(db), timers=False)
        assert "read-only" in viewer.store.problem
        session = viewer.teacher(class_id, key)
        assert session.quarter == 1 and len(student_rows(viewer.store, class_id)) == 1
        assert viewer.member(token)[1].name == "Ana"
        with pytest.raises(ClassError, match="cannot be saved"):
            viewer.advance(class_id, key)
        with pytest.raises(ClassError, match="cannot be saved"):
            viewer.join(session.code, "Ben")
        viewer.logins.sign_in_with_key(class_id, key, "browser-A")  # a teacher can still look
        viewer.close()
        viewer.store.close()


@pytest.mark.parametrize(
    "where, said",
    [
        (lambda tmp: tmp / "a-file" / "classroom.sqlite", "cannot be created"),
        (lambda tmp: tmp, "is a folder"),
        (lambda tmp: tmp / "not-a-database.sqlite", "cannot be opened (file is not a database)"),
    ],
    ids=["under-a-file", "a-folder", "not-a-database"],
)
def test_a_database_that_cannot_be_used_at_start_is_reported_and_nothing_is_saved(tmp_path, where, said):
    (tmp_path / "a-file").write_text("a file")
    (tmp_path / "not-a-database.sqlite").write_bytes(b"this is not SQLite" * 100)
    room = Classroom(Store(where(tmp_path)), timers=False)
    assert said in room.store.problem
    assert room.store.all_classes() == []
    with pytest.raises(ClassError, match="cannot be saved"):
        room.create_class("Mine", "individual", **SHORT)
    with pytest.raises(ClassError, match="cannot be saved"):
        room.start_solo("Dana")
    assert (tmp_path / "not-a-database.sqlite").read_bytes() == b"this is not SQLite" * 100


# ---- a class's options ----------------------------------------------------------------------------

NAN, INF = math.nan, math.inf
BAD_OPTIONS = [
    ({"mode": "solo"}, "mode must be 'individual' or 'roleplay', not 'solo'"),
    ({"mode": "Roleplay"}, "not 'Roleplay'"),
    ({"mode": 3}, "not 3"),
    ({"start": "soon"}, "start must be a month written YYYY-MM, not 'soon'"),
    ({"start": "2026-13"}, "start must be a month"),
    ({"start": 202604}, "start must be a month written YYYY-MM, not 202604"),
    ({"start": "2027-01", "end": "2026-06"}, "at least one quarter"),
    ({"start": "2019-01"}, "the class must start after"),
    ({"end": "2099-12"}, "the model runs only until"),
    ({"timer_s": -60}, "timer_s (seconds per quarter, 0 for none) must be a whole number from 0 to 86400, not -60"),
    ({"timer_s": "60"}, "not '60'"),
    ({"timer_s": True}, "timer_s (seconds per quarter, 0 for none) must be a whole number"),
    ({"timer_s": NAN}, "not nan"),
    ({"timer_s": 10**9}, "from 0 to 86400"),
    ({"seat_size": 0}, "seat_size (students per seat) must be a whole number from 1 to 40, not 0"),
    ({"seat_size": 2.5}, "not 2.5"),
    ({"hours": 0}, "hours (how long the class stays open) must be more than 0"),
    ({"hours": -5}, "hours (how long the class stays open) must be a number from 0 to 1440, not -5"),
    ({"hours": NAN}, "not nan"),
    ({"hours": INF}, "not inf"),
    ({"hours": "24"}, "not '24'"),
    ({"hours": 24 * 365 * 10}, "from 0 to 1440"),
    ({"colour": "red"}, "unknown class setting 'colour'"),
    ({"auto_advance": "no"}, "auto_advance must be true or false, not 'no'"),
    ({"auto_injects": 2}, "auto_injects must be true or false, not 2"),
    ({"history": "replay"}, "history must be one of diverge, replayed, not 'replay'"),
    ({"seed": -1}, "seed must be a whole number from 0 to 4294967295, not -1"),
    ({"seed": "abc"}, "not 'abc'"),
    ({"seed": True}, "seed must be a whole number"),
    ({"scenario": "atlantis"}, "atlantis"),
    ({"scenario": ""}, "scenario must be a scenario's name"),
    ({"script": "no_such_script"}, "no_such_script"),
]


@pytest.mark.parametrize("options, said", BAD_OPTIONS, ids=[json.dumps(o, default=str) for o, _ in BAD_OPTIONS])
def test_a_wrong_class_option_is_refused_with_one_clear_line_and_nothing_written(room, options, said):
    options = {**SHORT, **options}
    mode = options.pop("mode", "roleplay")
    with pytest.raises(ClassError) as refused:
        room.create_class("Checked", mode, **options)
    assert said in str(refused.value) and "\n" not in str(refused.value)
    assert room.store.all_classes() == []


BAD_SETTINGS = [
    ({"timer_s": "abc"}, "timer_s (seconds per quarter, 0 for none) must be a whole number"),
    ({"timer_s": -1}, "not -1"),
    ({"seat_size": -1}, "seat_size (students per seat) must be a whole number from 1 to 40, not -1"),
    ({"auto_advance": "yes"}, "auto_advance must be true or false"),
    ({"colour": "red"}, "unknown class setting 'colour'"),
]


@pytest.mark.parametrize("settings, said", BAD_SETTINGS, ids=[json.dumps(s) for s, _ in BAD_SETTINGS])
def test_a_wrong_setting_is_refused_and_the_class_keeps_its_settings(room, settings, said):
    class_id, _, key = room.create_class("Checked", "roleplay", timer_s=60, **SHORT)
    with pytest.raises(ClassError) as refused:
        room.configure(class_id, key, **settings)
    assert said in str(refused.value)
    session = room.teacher(class_id, key)
    assert session.settings.timer_s == 60 and session.settings.seat_size == 6 and session.settings.auto_advance


@pytest.mark.parametrize("options", [{"start": "soon"}, {"end": 2027}, {"seed": -3}, {"seed": "x"}], ids=str)
def test_a_solo_game_with_a_wrong_option_is_refused_with_one_line(room, options):
    with pytest.raises(ClassError, match="must be"):
        room.start_solo("Dana", **options)
    assert room.store.all_classes() == []


def test_good_class_options_are_accepted(room):
    class_id, _, key = room.create_class(
        "Fine", "individual", start="2026-07-15", end="2027-06", seed=7, hours=0.5, timer_s=0, seat_size=40
    )
    session = room.teacher(class_id, key)
    assert session.spec.start == "2026-07" and session.spec.seed == 7 and session.n_quarters == 4
