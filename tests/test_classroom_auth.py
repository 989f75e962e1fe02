"""Signing in without secrets in addresses, without a browser: a teacher's browser bound to a class's
console, a student's browser bound to a seat, return codes, seat links that work once, join codes
too long to guess, and the limit on wrong tries (with a clock the test moves)."""

from __future__ import annotations

import re

import pytest

from magnetdiplomacy.classroom import AccessDenied, Classroom, JoinError, Store
from magnetdiplomacy.classroom.auth import (
    BROWSER_FAILURES,
    CLASS_FAILURES,
    CODE_ALPHABET,
    CODE_LENGTH,
    SERVER_FAILURES,
    TooManyAttempts,
    browser_credential,
    format_code,
    normalise_code,
    seal,
    unseal,
)

SHORT = {"end": "2027-03"}


class Clock:
    """A clock the test moves by hand (seconds)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(room):
    fake = Clock()
    room.logins.attempts.clock = fake
    return fake


def raw_database(db) -> bytes:
    wal = db.parent / (db.name + "-wal")
    return db.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


# ---- codes --------------------------------------------------------------------------------------


def test_join_codes_are_eight_characters_without_look_alikes_and_typed_loosely(room):
    codes = [room.create_class(f"Class {i}", "individual", **SHORT)[1] for i in range(20)]
    for code in codes:
        assert len(code) == CODE_LENGTH == 8 and set(code) <= set(CODE_ALPHABET)
        assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", format_code(code))
    assert not set("IO01") & set(CODE_ALPHABET) and len(CODE_ALPHABET) == 32
    assert len(set(codes)) == len(codes)
    code = codes[0]
    for typed in (code.lower(), format_code(code), f" {code[:4]} {code[4:].lower()} ", f"{code[:2]}-{code[2:]}"):
        assert normalise_code(typed) == code
        assert room.join(typed, "Eve")


# ---- teachers -------------------------------------------------------------------------------------


def test_a_signed_in_browser_holds_the_console_and_no_other_browser_does(room, db, clock):
    class_id, code, key = room.create_class("Form 5", "roleplay", **SHORT)
    other_id, other_code, other_key = room.create_class("Form 4", "roleplay", **SHORT)
    mine, theirs = browser_credential("browser-A", class_id), browser_credential("browser-B", class_id)
    with pytest.raises(AccessDenied):
        room.teacher(class_id, mine)  # not signed in yet
    assert room.logins.sign_in_teacher(format_code(code).lower(), key, "browser-A") == class_id
    assert room.teacher(class_id, mine).id == class_id
    room.start(class_id, mine)  # the credential works wherever the key did
    assert room.session(class_id).status == "running"
    with pytest.raises(AccessDenied):
        room.teacher(class_id, theirs)  # another browser (another cookie) at the same address
    with pytest.raises(AccessDenied):
        room.teacher(other_id, mine.replace(class_id, other_id))  # signed in to one class, not the other
    with pytest.raises(AccessDenied):
        room.logins.sign_in_teacher(code, other_key, "browser-B")  # another class's key
    with pytest.raises(AccessDenied):
        room.teacher_by_code(code, mine)  # a browser credential is not a key
    # a restart keeps the browser signed in; only a hash of its session id is stored
    room.close()
    again = Classroom(Store(db), timers=False)
    assert again.teacher(class_id, mine).id == class_id
    assert b"browser-A" not in raw_database(db) and key.encode() not in raw_database(db)
    again.logins.sign_out_teacher(class_id, "browser-A")
    with pytest.raises(AccessDenied):
        again.teacher(class_id, mine)
    again.close()


def test_a_new_class_signs_its_browser_in_and_an_old_key_link_needs_the_right_key(room, clock):
    class_id, code, key = room.create_class("Form 5", "individual", **SHORT)
    for _ in range(BROWSER_FAILURES):  # even a browser that has used up its wrong tries
        with pytest.raises(JoinError):
            room.logins.join("ZZZZ-ZZZZ", "Guess", "made-here")
    room.logins.sign_in_new_class(class_id, key, "made-here")
    assert room.teacher(class_id, browser_credential("made-here", class_id))
    with pytest.raises(AccessDenied):
        room.logins.sign_in_new_class(class_id, "wrong", "elsewhere")
    with pytest.raises(AccessDenied):
        room.logins.sign_in_with_key(class_id, "wrong", "elsewhere")
    room.logins.sign_in_with_key(class_id, key, "old-bookmark")
    assert room.teacher(class_id, browser_credential("old-bookmark", class_id))
    with pytest.raises(AccessDenied):
        room.teacher(class_id, browser_credential("elsewhere", class_id))
    with pytest.raises(AccessDenied):  # a credential typed in place of the key does not sign in
        room.logins.sign_in_with_key(class_id, browser_credential("made-here", class_id), "elsewhere")


# ---- students -------------------------------------------------------------------------------------


def test_a_students_browser_holds_their_seat_and_rejoining_makes_no_second_student(room, clock):
    class_id, code, key = room.create_class("Form 5", "roleplay", **SHORT)
    assert room.logins.join(code, "Ana", "ana-laptop") == class_id
    ana = browser_credential("ana-laptop", class_id)
    session, member = room.member(ana)
    assert member.name == "Ana"
    room.claim_seat(ana, "malaysia")
    room.choose(ana, "lean", "lean_us25")
    assert session.plans[(0, "malaysia")]["lean"][0] == "lean_us25"
    with pytest.raises(AccessDenied):
        room.member(browser_credential("ben-laptop", class_id))  # another browser, same address
    # Join pressed again (or the back button) in the same browser, same name: the same place
    assert room.logins.join(code.lower(), " ana ", "ana-laptop") == class_id
    assert len(session.members) == 1 and room.member(ana)[1].id == member.id
    # another student on the same computer gets a place of their own
    room.logins.join(code, "Ben", "ana-laptop")
    assert len(session.members) == 2 and room.member(ana)[1].name == "Ben"
    assert room.logins.latest_class("ana-laptop") == class_id and room.logins.latest_class("nobody") is None


def test_a_return_code_brings_a_student_back_on_another_computer(room, db, clock):
    class_id, code, key = room.create_class("Form 5", "individual", **SHORT)
    room.logins.join(code, "Ana", "school-pc")
    shown = room.logins.return_code("school-pc", class_id)
    assert shown and re.fullmatch(r"[A-Z2-9]{5}-[A-Z2-9]{5}", shown)
    ana = room.member(browser_credential("school-pc", class_id))[1]
    with pytest.raises(AccessDenied):
        room.logins.return_to_seat("AAAAA-AAAAA", "home-pc")
    assert room.logins.return_to_seat(shown.lower().replace("-", " "), "home-pc") == class_id
    assert room.member(browser_credential("home-pc", class_id))[1].id == ana.id
    assert room.logins.return_code("home-pc", class_id) == shown  # the same code, shown on both computers
    assert room.logins.return_code("school-pc", class_id) == shown
    assert room.logins.return_code("elsewhere", class_id) is None
    # the database holds neither the code nor the session ids
    raw = raw_database(db)
    assert normalise_code(shown).encode() not in raw and b"school-pc" not in raw
    sealed = seal(normalise_code(shown), "school-pc", ana.id)
    assert unseal(sealed, "school-pc", ana.id) == normalise_code(shown)
    assert unseal(sealed, "home-pc", ana.id) != normalise_code(shown)


def test_a_seat_link_works_once_and_then_only_the_browser_that_used_it_holds_the_seat(room, clock):
    class_id, code, key = room.create_class("Form 5", "individual", **SHORT)
    token = room.join(code, "Eve")
    assert room.logins.claim_link(token, "eve-laptop") == class_id
    assert room.member(browser_credential("eve-laptop", class_id))[1].name == "Eve"
    with pytest.raises(AccessDenied, match="used already"):
        room.logins.claim_link(token, "someone-else")
    with pytest.raises(AccessDenied):
        room.member(token)  # the token was replaced
    assert room.member(browser_credential("eve-laptop", class_id))[1].name == "Eve"
    assert room.logins.return_code("eve-laptop", class_id)
    # a solo game is taken the same way
    solo_id = room.logins.claim_link(room.start_solo("Dana"), "eve-laptop")
    assert room.member(browser_credential("eve-laptop", solo_id))[0].mode == "solo"
    assert room.logins.latest_class("eve-laptop") == solo_id
    with pytest.raises(AccessDenied):
        room.teacher(solo_id, browser_credential("eve-laptop", solo_id))


# ---- wrong tries ------------------------------------------------------------------------------------


def test_wrong_join_codes_are_limited_per_browser_and_the_limit_recovers(room, clock):
    class_id, code, key = room.create_class("Form 5", "individual", **SHORT)
    for _ in range(BROWSER_FAILURES):
        clock.now += 1
        with pytest.raises(JoinError):
            room.logins.join("ZZZZ-ZZZZ", "Guess", "guesser")
    clock.now += 1
    with pytest.raises(TooManyAttempts, match=r"Too many attempts: wait 50 s") as refused:
        room.logins.join(code, "Guess", "guesser")  # even the right code, until a minute has passed
    assert refused.value.wait_s == 50
    assert room.logins.join(code, "Ana", "another-browser") == class_id  # others are not held up
    with pytest.raises(TooManyAttempts):
        room.logins.return_to_seat("AAAAA-AAAAA", "guesser")  # every kind of code counts
    clock.now += 50
    assert room.logins.join(code, "Guess", "guesser") == class_id
    for _ in range(BROWSER_FAILURES + 2):
        with pytest.raises(JoinError, match="Type the class code"):
            room.logins.join("", "Nobody", "typist")  # an empty code is not a wrong try


def test_wrong_keys_are_limited_per_class_and_codes_across_the_server(room, clock):
    class_id, code, key = room.create_class("Form 5", "roleplay", **SHORT)
    for i in range(CLASS_FAILURES):
        with pytest.raises(AccessDenied):
            room.logins.sign_in_teacher(code, f"guess-{i}", f"browser-{i}")  # a new cookie every try
    with pytest.raises(TooManyAttempts):
        room.logins.sign_in_teacher(code, key, "the-teacher")
    clock.now += 61
    assert room.logins.sign_in_teacher(code, key, "the-teacher") == class_id
    for i in range(SERVER_FAILURES):
        with pytest.raises(AccessDenied):
            room.logins.return_to_seat(f"WRONG{i:05d}", f"script-{i}")
    with pytest.raises(TooManyAttempts):
        room.logins.join(code, "Late", "a-new-browser")
    clock.now += 61
    assert room.logins.join(code, "Late", "a-new-browser") == class_id
