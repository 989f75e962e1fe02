"""Signing a browser in to a class's console: by the class code and the teacher's key (typed once),
right after opening a class, or from an old ``/teacher?c=…&k=…`` bookmark; the key shown once;
signing out.

After signing in the console's address is ``/teacher?c=<class id>``: the browser's session cookie,
not the address, lets it in (see :mod:`magnetdiplomacy.classroom.auth`).
"""

from __future__ import annotations

from html import escape

import solara

from ..auth import AccessDenied, browser_credential
from ..room import get_classroom
from ..session import ClassSession
from .address import ReplaceAddress, browser_session
from .common import div, html

# The class just opened in this browser tab and its key, to show the key once: it lives only in
# this tab's memory on the server, so a reload (or another tab) never shows it again.
FRESH_KEY: solara.Reactive[tuple[str, str]] = solara.reactive(("", ""))
# Bumped when this tab signs in or out, or takes a seat: the address may not change (the sign-in or
# join form is shown at the console's or the seat's own address), so the page is told to look again.
SIGN_INS = solara.reactive(0)


def teacher_credential(class_id: str) -> str:
    """What the console's controls hand the room for "this browser, this class" (called while
    drawing the page: it redraws when this tab signs in or out)."""
    _ = SIGN_INS.value
    return browser_credential(browser_session(), class_id)


def open_new_class(router: solara.routing.Router, class_id: str, key: str) -> None:
    """Sign this browser in to the class just made, keep its key to show once, and go to its
    console (``/teacher?c=<class id>``: no key in the address)."""
    get_classroom().logins.sign_in_new_class(class_id, key, browser_session())
    FRESH_KEY.set((class_id, key))
    router.push(f"/teacher?c={class_id}")


def use_link_key(class_id: str, key: str) -> str:
    """An old address with the key in it (``?k=``) signs this browser in once; the key then goes
    from the address (and from its history entry). Returns why it did not sign in, if it did not."""
    session_id = browser_session()

    def attempt() -> str:
        if not key or not class_id:
            return ""
        try:
            get_classroom().logins.sign_in_with_key(class_id, key, session_id)
        except AccessDenied as err:
            return str(err)
        return ""

    problem = solara.use_memo(attempt, [class_id, key])
    if key:
        ReplaceAddress(f"/teacher?c={class_id}" if class_id else "/teacher")
    return problem


@solara.component
def SignIn(message: str = ""):
    """The class code and the teacher's key, typed once; the browser then stays signed in."""
    router = solara.use_router()
    code = solara.use_reactive("")
    key = solara.use_reactive("")
    error = solara.use_reactive(message)
    session_id = browser_session()

    def sign_in():
        try:
            class_id = get_classroom().logins.sign_in_teacher(code.value, key.value, session_id)
        except AccessDenied as err:
            error.value = str(err)
            return
        key.value = ""
        SIGN_INS.value += 1
        router.push(f"/teacher?c={class_id}")

    with div("cr-card"):
        html(
            "<h2>Open your console</h2><p class='cr-help'>The class code and the teacher's key you were given when you "
            "opened the class. This browser then stays signed in to the console (until you sign out); the key is "
            "never put in the page's address.</p>"
        )
        solara.InputText("Class code", value=code, continuous_update=True, classes=["cr-signin-code"])
        solara.InputText("Teacher's key", value=key, continuous_update=True, password=True, classes=["cr-signin-key"])
        solara.Button("Open the console", on_click=sign_in, color="primary", classes=["cr-signin"])
        if error.value:
            html(escape(error.value), ["cr-error", "cr-denied"])


def key_banner(session: ClassSession, show_key: solara.Reactive[bool]) -> None:
    """The teacher's key, right after the class was opened in this tab, until hidden."""
    fresh_id, key = FRESH_KEY.value
    if not (show_key.value and fresh_id == session.id and key):
        return

    def hide():
        FRESH_KEY.set(("", ""))
        show_key.set(False)

    html(
        f"<div class='cr-banner cr-key-banner'>Your teacher's key: <span class='cr-key'>{escape(key)}</span><br>"
        "<b>Copy it now: it is shown only this once.</b> With the join code it opens this console on another "
        "computer. This browser stays signed in (the page's address does not hold the key); sign out on a shared "
        "computer.</div>"
    )
    solara.Button("Hide the key", on_click=hide, text=True, small=True, classes=["cr-hide-key"])


@solara.component
def SignOut(class_id: str):
    """End this browser's sign-in to the console (every tab of this browser)."""
    router = solara.use_router()
    session_id = browser_session()

    def sign_out():
        get_classroom().logins.sign_out_teacher(class_id, session_id)
        FRESH_KEY.set(("", ""))
        SIGN_INS.value += 1
        router.push("/teacher")

    solara.Button("Sign out", on_click=sign_out, text=True, small=True, icon_name="mdi-logout", classes=["cr-sign-out"])


# ---- students -------------------------------------------------------------------------------------


def use_seat(class_id: str, token: str) -> tuple[str, str]:
    """This browser's seat on the student's page: (credential, why there is none).

    The seat is the one this browser holds in class ``class_id`` (or, without one, in the class it
    joined last). An old address with a seat token (``?t=``) takes that seat for this browser once
    (the token is then replaced), and the token goes from the address and its history entry."""
    session_id = browser_session()
    _ = SIGN_INS.value  # a seat taken in this tab at this very address (the join form on a refused page)

    def claim() -> tuple[str, str]:
        if not token:
            return "", ""
        try:
            return get_classroom().logins.claim_link(token, session_id), ""
        except AccessDenied as err:
            return "", str(err)

    claimed, problem = solara.use_memo(claim, [token])
    if claimed:
        ReplaceAddress(f"/student?c={claimed}")
    class_id = class_id or claimed or get_classroom().logins.latest_class(session_id) or ""
    if not class_id and not problem:
        problem = (
            "You have not joined a class on this computer yet: join with the class code, or type your return code."
        )
    return browser_credential(session_id, class_id), problem


@solara.component
def ReturnCode(class_id: str, member_id: str):
    """The student's return code, to come back to the same place on another computer."""
    session_id = browser_session()
    code = solara.use_memo(lambda: get_classroom().logins.return_code(session_id, class_id), [class_id, member_id])
    if not code:
        return
    html(
        f"Your return code: <b class='cr-return-code-shown'>{escape(code)}</b>. On another computer, choose "
        "<i>Join a class</i>, then <i>I have a return code</i>, to come back to this place. Keep it to yourself, "
        "like a password.",
        ["cr-small", "cr-return-card"],
    )
