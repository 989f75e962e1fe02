"""The classroom: play as Malaysia, class sessions with a teacher's console, and their records.

* :mod:`.world` - a world moved a quarter at a time, rebuilt exactly from its decisions, with
  look-aheads of each choice;
* :mod:`.menus` - what each seat can decide this quarter;
* :mod:`.session` - class sessions (solo, individual, role-play): what students and the teacher
  do, the clock and injects, on the state of :mod:`.state` and the records of :mod:`.records`;
* :mod:`.room` - the credential-checked :class:`~.room.Classroom` every page goes through;
* :mod:`.store` - the SQLite database that keeps every class as it happens;
* :mod:`.auth` - the teacher's key, join codes and seat tokens;
* :mod:`.injects` - inject scripts (``configs/classroom/*.yaml``);
* :mod:`.game` - debriefs and scores against Malaysia's targets;
* :mod:`.export` - results as CSV and one-page summaries as PDF;
* :mod:`.pages` - the pages of ``classroom.py``.
"""

from .auth import AccessDenied, JoinError
from .records import ClassError
from .room import Classroom, get_classroom
from .session import ClassSession
from .store import Store
from .world import World, WorldSpec

__all__ = [
    "AccessDenied",
    "ClassError",
    "ClassSession",
    "Classroom",
    "JoinError",
    "Store",
    "World",
    "WorldSpec",
    "get_classroom",
]
