"""Who may do what: the teacher's key, signed-in browsers, join codes, seat tokens, return codes,
and how many wrong tries anyone gets.

* **Teacher's key**: a random secret (144 bits) made when a class is opened and shown once to the
  teacher, right after the class is made. Only a salted hash is stored. The key is typed once, with
  the join code, to sign a browser in; from then on the console's address is ``/teacher?c=<class
  id>`` and the browser's session cookie (``solara-session-id``) is what lets it in.
* **Signed-in browser**: Solara gives every browser a random session id in a cookie (made with
  ``uuid4``, kept until 2038, sent on every page request and websocket, not readable by the page's
  scripts: see :func:`magnetdiplomacy.classroom.pages.configure_server`). Binding a class's
  console or a student's seat to a browser stores a hash of that id only, in the class database,
  so a server restart keeps everyone in; **Sign out** ends a teacher's binding. Pages hand room
  methods a *browser credential* (:func:`browser_credential`) in place of a key or token; it is
  built on the server from the cookie and never appears in an address.
* **Join code**: eight characters from :data:`CODE_ALPHABET` (no look-alike letters or digits),
  shown as ``XXXX-XXXX``, that let a student join while the class is open. Typing ignores case,
  spaces and dashes. The code stops working when the class ends, is closed or expires.
* **Seat token**: a random secret made for each student who joins. Only its hash is stored. The
  pages never put it in an address any more: an old ``/student?t=<token>`` link works once (it
  binds that browser to the seat, and the token is then replaced) and the address is cleaned.
* **Return code**: ten characters from the same alphabet (``XXXXX-XXXXX``), shown on the student's
  page, to get back to the same seat from another computer (*I have a return code* on the join
  page). Only its hash is stored for looking it up; to show it again on the student's page it is
  kept sealed with that browser's session id (:func:`seal`), which the database does not hold.

**Wrong tries** (:class:`Attempts`, in memory): a wrong join code, return code, teacher's key or
seat link counts as a failure. In any 60 seconds a browser may fail :data:`BROWSER_FAILURES` times,
one class's sign-in :data:`CLASS_FAILURES` times (whatever the browser), and the whole server
:data:`SERVER_FAILURES` times for join and return codes (a script can drop its cookie and be a new
browser at every try, so only a server-wide limit binds it). Past a limit every try of that kind is
refused, right or wrong, with "Too many attempts: wait N s", until the oldest failure is a minute
old.

Why guessing is hopeless with these limits:

* a join code is one of 32^8 = 2^40 ≈ 1.1 × 10^12. A script is held to 300 failures a minute,
  432,000 a day. With 100 classes open at once, each guess hits one with probability
  100 / 1.1 × 10^12 ≈ 9 × 10^-11: about 4 × 10^-5 a day, under 2 % in a year of non-stop guessing,
  and a hit only gives a seat in a game whose teacher sees every name on the roster. (The old
  six-character codes, 2^30 ≈ 1.1 × 10^9, with no limit, fell in minutes at 100 tries a second.)
* a return code is one of 32^10 = 2^50 ≈ 1.1 × 10^15: with 3,000 students in open classes,
  432,000 guesses a day hit one with probability about 1.2 × 10^-6 a day.
* a teacher's key is one of 2^144; 30 failures a minute per class is 43,200 a day, about 2 ×
  10^-39 of the keys. The per-class limit is there to keep a class's sign-in quiet, not because a
  key could be guessed.

Comparisons of secrets take the same time whatever the input (``hmac.compare_digest``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no I, O, 0, 1
CODE_LENGTH = 8  # 32^8 = 2^40 join codes (see the module docstring)
RETURN_CODE_LENGTH = 10  # 32^10 = 2^50 return codes: there are many more students than classes

ATTEMPT_WINDOW_S = 60.0
# A person mistyping a code gets it right within a few tries; ten wrong in a minute is a guesser.
BROWSER_FAILURES = 10
# One class's teacher sign-in, from any browser: a teacher and a colleague mistyping the key stay
# far below it, and a lock-out lasts at most a minute and signs no one out.
CLASS_FAILURES = 30
# Join and return codes typed on the whole server, from any browser: a class of 30 with typos makes
# a few a minute; 300 a minute caps a script that changes cookies at 432,000 guesses a day.
SERVER_FAILURES = 300

BROWSER_PREFIX = "browser:"  # keys, tokens and return codes never contain ':'


class AccessDenied(PermissionError):
    """A request without the right key or token, or for something the requester may not do."""


class RemovedFromClass(AccessDenied):
    """A student the teacher has taken off the class's roster (their link and browser no longer work)."""

    def __init__(self) -> None:
        super().__init__("Your teacher has taken you off this class's roster: ask them if this is a mistake.")


class JoinError(ValueError):
    """A join code that does not open a class (unknown, ended or expired)."""


class TooManyAttempts(AccessDenied):
    """Too many wrong tries in the last minute; ``wait_s`` says when the next one is heard."""

    def __init__(self, wait_s: int) -> None:
        self.wait_s = wait_s
        super().__init__(f"Too many attempts: wait {wait_s} s and try again.")


def new_secret() -> str:
    return secrets.token_urlsafe(18)


def new_id() -> str:
    return secrets.token_hex(6)


def _random_code(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def new_join_code(taken: set[str] | frozenset[str] = frozenset()) -> str:
    """A join code not among ``taken`` (the codes of open classes)."""
    while True:
        code = _random_code(CODE_LENGTH)
        if code not in taken:
            return code


def new_return_code() -> str:
    return _random_code(RETURN_CODE_LENGTH)


def normalise_code(code: str) -> str:
    """Codes are typed by people: ignore case, spaces, dashes and any other punctuation."""
    return "".join(ch for ch in str(code).upper() if ch.isalnum())


def format_code(code: str) -> str:
    """A code as people read it: two halves joined by a dash (``ABCD-EFGH``, ``ABCDE-FGHJK``)."""
    code = normalise_code(code)
    half = (len(code) + 1) // 2
    return f"{code[:half]}-{code[half:]}" if len(code) >= 8 else code


def hash_secret(secret: str, salt: str = "") -> str:
    return hashlib.sha256(f"{salt}:{secret}".encode()).hexdigest()


def check_secret(secret: str | None, hashed: str, salt: str = "") -> bool:
    if not secret or not hashed:
        return False
    return hmac.compare_digest(hash_secret(secret, salt), hashed)


# ---- signed-in browsers ---------------------------------------------------------------------------


def browser_hash(session_id: str) -> str:
    """What the database keeps of a browser's session id."""
    return hash_secret(session_id, "browser-session")


def browser_credential(session_id: str, class_id: str) -> str:
    """What a page hands room methods for "this browser, in this class" (never put in an address)."""
    return f"{BROWSER_PREFIX}{class_id}:{session_id}"


def read_browser_credential(credential: str | None) -> tuple[str, str] | None:
    """(class id, session id) of a browser credential, or None for a key or token."""
    if not credential or not credential.startswith(BROWSER_PREFIX):
        return None
    class_id, _, session_id = credential[len(BROWSER_PREFIX) :].partition(":")
    return (class_id, session_id) if session_id else None


def _pad(session_id: str, member_id: str, length: int) -> bytes:
    pad = hashlib.sha256(f"return-code:{member_id}:{session_id}".encode()).digest()
    if length > len(pad):
        raise ValueError("a sealed code is at most 32 characters")
    return pad[:length]


def seal(code: str, session_id: str, member_id: str) -> str:
    """A return code kept for one browser: only that browser's session id opens it (a one-time pad
    from a hash of the id, which the database does not hold)."""
    raw = code.encode()
    return bytes(a ^ b for a, b in zip(raw, _pad(session_id, member_id, len(raw)), strict=True)).hex()


def unseal(sealed: str, session_id: str, member_id: str) -> str:
    raw = bytes.fromhex(sealed)
    return bytes(a ^ b for a, b in zip(raw, _pad(session_id, member_id, len(raw)), strict=True)).decode(
        "ascii", "replace"
    )


# ---- wrong tries ------------------------------------------------------------------------------------


class Attempts:
    """Failures in the last :data:`ATTEMPT_WINDOW_S` seconds, by bucket (a browser, a class, the
    server), with the most each bucket may hold. In memory: a restart forgets them, which only
    gives a guesser one more minute's worth."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, window_s: float = ATTEMPT_WINDOW_S) -> None:
        self.clock = clock
        self.window_s = window_s
        self.lock = threading.Lock()
        self.failures: dict[str, deque[float]] = {}

    def _recent(self, bucket: str, now: float) -> deque[float]:
        times = self.failures.setdefault(bucket, deque())
        while times and times[0] <= now - self.window_s:
            times.popleft()
        if not times:
            self.failures.pop(bucket, None)
        return times

    def check(self, buckets: Iterable[tuple[str, int]]) -> None:
        """Raise :class:`TooManyAttempts` if any bucket holds its limit of failures."""
        with self.lock:
            now = self.clock()
            wait = 0.0
            for bucket, limit in buckets:
                times = self._recent(bucket, now)
                if len(times) >= limit:
                    wait = max(wait, times[len(times) - limit] + self.window_s - now)
        if wait > 0:
            raise TooManyAttempts(max(1, int(wait + 0.999)))

    def fail(self, buckets: Iterable[tuple[str, int]]) -> None:
        """Count one failure in every bucket."""
        with self.lock:
            now = self.clock()
            for bucket, _ in buckets:
                self.failures.setdefault(bucket, deque()).append(now)
            if len(self.failures) > 1000:  # browsers that failed once and went: forget them
                for bucket in list(self.failures):
                    self._recent(bucket, now)
