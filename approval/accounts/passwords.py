"""The password policy of portal accounts: long enough, not trivial, not common.

NIST SP 800-63B's advice, in short: length matters, composition rules do not; refuse
passwords that are known, repetitive or derived from the user name. A passphrase of a few
words ("grön cykel under bron") passes easily.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

__all__ = ["MIN_LENGTH", "password_problem"]

MIN_LENGTH = 12
_COMMON_FILE = Path(__file__).parent / "data" / "common_passwords.txt"
_SEQUENCES = ("0123456789", "abcdefghijklmnopqrstuvwxyzåäö", "qwertyuiopåasdfghjklöäzxcvbnm")


def _squash(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


@cache
def _common() -> frozenset[str]:
    lines = _COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(_squash(line) for line in lines if line.strip() and not line.startswith("#"))


def _is_sequence(text: str) -> bool:
    return any(text in seq or text in seq[::-1] for seq in _SEQUENCES)


def password_problem(password: str, username: str = "") -> str | None:
    """Why ``password`` is refused, in Swedish, or None when it is acceptable.

    Args:
        password: the proposed password.
        username: the account's name (the password must not be built from it).

    Returns:
        The reason, or None.
    """
    if len(password) < MIN_LENGTH:
        return (f"lösenordet måste ha minst {MIN_LENGTH} tecken (en lösenordsfras med några "
                "ord går bra, t.ex. ”grön cykel under bron”)")  # fmt: skip
    squashed = _squash(password)
    if len(set(squashed)) < 5:
        return "lösenordet har för få olika tecken"
    if _is_sequence(squashed) or squashed in _common():
        return "lösenordet är för vanligt eller förutsägbart"
    name = _squash(username)
    if name and len(name) >= 3 and name in squashed and len(squashed) - len(name) < MIN_LENGTH:
        return "lösenordet får inte bygga på användarnamnet"
    return None
