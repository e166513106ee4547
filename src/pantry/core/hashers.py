"""Password hashing: Argon2id with parameters measured on pantry's machines."""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class PantryArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id at OWASP's 19 MiB, 2 passes, 1 lane profile.

    Django's default (100 MiB, 8 lanes) took about 1 s per check on a shared
    2-core machine, which turns sign-in into a denial-of-service lever; this
    profile takes about 25 ms there (see `make bench`, case customers). Old
    hashes are upgraded on the next sign-in, as Django does for any change.
    """

    algorithm = "argon2"
    time_cost = 2
    memory_cost = 19456
    parallelism = 1
