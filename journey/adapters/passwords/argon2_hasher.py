"""argon2id password hashing (argon2-cffi), satisfying :class:`journey.ports.auth.PasswordHasher`."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError


class Argon2Hasher:
    """argon2id with the library's RFC 9106 low-memory defaults (t=3, m=64 MiB, p=4) unless told otherwise."""

    def __init__(self, time_cost: int | None = None, memory_cost: int | None = None) -> None:
        kwargs = {k: v for k, v in (("time_cost", time_cost), ("memory_cost", memory_cost)) if v is not None}
        self._hasher = PasswordHasher(**kwargs)  # type: ignore[arg-type]

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored: str, password: str) -> bool:
        try:
            return bool(self._hasher.verify(stored, password))
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        try:
            return self._hasher.check_needs_rehash(stored)
        except InvalidHashError:
            return True
