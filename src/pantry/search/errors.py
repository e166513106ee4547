"""Errors of the search services."""

from __future__ import annotations

from pantry.core.errors import Conflict, Invalid, NotFound


class UnknownSearchConfig(Invalid):
    code = "unknown_search_config"
    default_detail = "PostgreSQL has no such text search configuration."


class InvalidSynonym(Invalid):
    code = "invalid_synonym"
    default_detail = "A synonym needs one word or phrase on each side."


class SynonymExists(Conflict):
    code = "synonym_exists"
    default_detail = "This synonym already exists."


class UnknownSynonym(NotFound):
    code = "not_found"
    default_detail = "No such synonym."
