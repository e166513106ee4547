"""Domain errors of customers, with the codes of API.md."""

from __future__ import annotations

from pantry.core.errors import BadRequest, Conflict, NotFound, PantryError


class EmailTaken(Conflict):
    code = "email_taken"
    default_detail = "An account with this email already exists."


class InvalidCredentials(PantryError):
    status = 401
    code = "invalid_credentials"
    default_detail = "The email or password is wrong."


class LoginThrottled(PantryError):
    """Too many failed sign-ins; ``retry_after`` seconds until the next try."""

    status = 429
    code = "too_many_attempts"
    default_detail = "Too many failed sign-ins. Try again later."

    def __init__(self, *, retry_after: int) -> None:
        super().__init__()
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class InvalidToken(BadRequest):
    code = "invalid_token"
    default_detail = "This link is invalid or has expired."


class AddressNotFound(NotFound):
    default_detail = "There is no such address."
