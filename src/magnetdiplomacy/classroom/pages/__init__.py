"""The classroom's pages (served by ``classroom.py`` at the project root).

* ``/``: play as Malaysia, join a class, or go to the teacher's console;
* ``/join?code=…``: join a class (or come back to a seat with a return code);
* ``/student?c=…``: a student's seat (or a solo game), held by this browser's session cookie, so a
  reload or a new tab brings the student back; an old ``/student?t=…`` link works once;
* ``/teacher``: open a class or sign in; ``/teacher?c=…``: the console of one class, for a browser
  signed in to it (the key is typed once and never in the address; see ``classroom.auth``).
"""

from __future__ import annotations

import solara

from .common import Layout
from .home import Home, JoinPage
from .student import StudentPage
from .teacher import TeacherPage

routes = [
    solara.Route(path="/", component=Home, label="Home", layout=Layout),
    solara.Route(path="join", component=JoinPage, label="Join"),
    solara.Route(path="student", component=StudentPage, label="Student"),
    solara.Route(path="teacher", component=TeacherPage, label="Teacher"),
]


def configure_server() -> None:
    """Page title, no banner, no usage statistics (the classroom works offline), and a session
    cookie the page's scripts cannot read (it signs a browser in to a console or a seat).

    Websocket frames are written straight from the thread that redraws a page
    (``sync_ws_write``) instead of being handed to the event loop one message at a time: when the
    clock moves, thirty pages redraw at once, and the hand-offs otherwise cost more than the
    redrawing itself (see benchmarks/bench_classroom.py).
    """
    from solara.server import settings

    settings.theme.title = "Magnet diplomacy: classroom"
    settings.theme.show_banner = False
    settings.telemetry.mixpanel_enable = False
    settings.server.sync_ws_write = True
    settings.session.http_only = True


__all__ = ["routes", "configure_server", "Layout"]
