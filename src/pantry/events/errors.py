"""Domain errors of events, with the codes of API.md."""

from __future__ import annotations

from pantry.core.errors import Invalid, NotFound


class EndpointNotFound(NotFound):
    code = "not_found"
    default_detail = "There is no such webhook endpoint."


class UrlNotAllowed(Invalid):
    code = "url_not_allowed"
    default_detail = "This URL cannot receive webhooks."


class UnknownEventType(Invalid):
    code = "unknown_event_type"
    default_detail = "Some event types are unknown."
