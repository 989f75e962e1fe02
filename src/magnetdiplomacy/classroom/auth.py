"""Who may do what: the teacher's key, join codes and seat tokens.

* **Teacher's key**: a random secret made when a class is opened and shown once to the teacher.
  Only a salted hash is stored. Every teacher action (advance the clock, pause, fire injects, free
  seats, end the class, download results) presents it and is refused without it.
* **Join code**: six characters (no look-alike letters or digits) that let a student join while
  the class is open. The code stops working when the class ends, is closed or expires.
* **Seat token**: a random secret given to each student when they join (it is kept in the page's
  address, so a reload or a new tab brings the student back). Only its hash is stored. A student's
  actions are accepted only for the seat their token holds.

Comparisons take the same time whatever the input (``hmac.compare_digest``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no I, O, 0, 1
CODE_LENGTH = 6


class AccessDenied(PermissionError):
    """A request without the right key or token, or for something the requester may not do."""


class JoinError(ValueError):
    """A join code that does not open a class (unknown, ended or expired)."""


def new_secret() -> str:
    return secrets.token_urlsafe(18)


def new_id() -> str:
    return secrets.token_hex(6)


def new_join_code(taken: set[str] | frozenset[str] = frozenset()) -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if code not in taken:
            return code


def normalise_code(code: str) -> str:
    """Codes are typed by people: ignore case, spaces and dashes; read O as 0-free alphabet allows."""
    return "".join(ch for ch in str(code).upper() if ch.isalnum())


def hash_secret(secret: str, salt: str = "") -> str:
    return hashlib.sha256(f"{salt}:{secret}".encode()).hexdigest()


def check_secret(secret: str | None, hashed: str, salt: str = "") -> bool:
    if not secret or not hashed:
        return False
    return hmac.compare_digest(hash_secret(secret, salt), hashed)
