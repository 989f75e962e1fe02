"""The classroom: ``uv run solara run classroom.py`` (then open http://localhost:8765).

Play as Malaysia alone, or run a class: individual play or role-play with a teacher's console.
Class state is kept in an SQLite database at ``$MAGNETDIPLOMACY_CLASSROOM_DB`` (by default
``runs/classroom/classroom.sqlite``), so a reload or a server restart loses nothing.
"""

import os

# Work offline: no usage statistics are sent (set before solara is imported).
os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
os.environ.setdefault("SOLARA_SERVER_SYNC_WS_WRITE", "true")  # see configure_server

from magnetdiplomacy.classroom.pages import Layout, configure_server, routes  # noqa: E402
from magnetdiplomacy.classroom.room import get_classroom  # noqa: E402

configure_server()
get_classroom()  # open the database and bring back running classes (and their timers) at start-up

__all__ = ["routes", "Layout"]
