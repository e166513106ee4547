"""Journal refusals, with the error codes of API.md."""

from __future__ import annotations

from pantry.core.errors import Conflict, Invalid, NotFound


class PostNotFound(NotFound):
    default_detail = "No such post."


class SlugTaken(Conflict):
    code = "slug_taken"
    default_detail = "Another post already has this slug."


class UnknownAuthor(Invalid):
    code = "unknown_author"
    default_detail = "No author or staff user has this username."


class UnknownProducts(Invalid):
    code = "unknown_products"
    default_detail = "Some product slugs do not exist."


class InvalidPost(Invalid):
    """A post field breaks a rule the request schema cannot express."""
