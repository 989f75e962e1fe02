"""The classroom: ``uv run solara run classroom.py`` (then open http://localhost:8765).

Play as Malaysia alone, or run a class: individual play or role-play with a teacher's console.
Class state is kept in an SQLite database at ``$MAGNETDIPLOMACY_CLASSROOM_DB`` (by default
``runs/classroom/classroom.sqlite``), so a reload or a server restart loses nothing. One server
writes a database: a second one on the same database stops at once with a one-line message naming
the database and the process that has it. A read-only database is served for viewing.
"""

import os
import sys

# Work offline: no usage statistics are sent (set before solara is imported).
os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
os.environ.setdefault("SOLARA_SERVER_SYNC_WS_WRITE", "true")  # see configure_server

from magnetdiplomacy.classroom.dbfile import DatabaseInUse  # noqa: E402
from magnetdiplomacy.classroom.pages import Layout, configure_server, routes  # noqa: E402
from magnetdiplomacy.classroom.room import get_classroom  # noqa: E402

configure_server()
try:
    _room = get_classroom()  # open the database and bring back running classes (and their timers) at start-up
except DatabaseInUse as err:  # a second server would apply students' decisions twice: do not serve
    print(f"classroom.py: {err}", file=sys.stderr, flush=True)
    os._exit(2)  # before the web server serves anything (an exception here would print a traceback)
if _room.store.problem:
    print(f"classroom.py: {_room.store.path}: {_room.store.problem}", file=sys.stderr, flush=True)

__all__ = ["routes", "Layout"]
