"""pantry's Argon2 hasher, counting the hashes it computes (for timing tests)."""

from __future__ import annotations

from typing import Any

from pantry.core.hashers import PantryArgon2PasswordHasher

COMPUTED: list[str] = []


class CountingArgon2Hasher(PantryArgon2PasswordHasher):
    def encode(self, password: str, salt: str) -> str:
        COMPUTED.append("encode")
        return super().encode(password, salt)

    def verify(self, password: str, encoded: str) -> bool:
        COMPUTED.append("verify")
        return super().verify(password, encoded)

    def harden_runtime(self, password: str, encoded: str) -> Any:
        COMPUTED.append("harden")
        return super().harden_runtime(password, encoded)
