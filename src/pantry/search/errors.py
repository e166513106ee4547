"""Errors of the search services."""

from __future__ import annotations

from pantry.core.errors import Invalid


class UnknownSearchConfig(Invalid):
    code = "unknown_search_config"
    default_detail = "PostgreSQL has no such text search configuration."
