"""Names the actor and request id of each request for the audit log."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from pantry.events.audit import Actor, acting_as

REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")


def request_actor(request: HttpRequest, request_id: str) -> Actor:
    """``token:<user>`` for a bearer token, ``staff:<user>`` for a session,
    else ``customer`` (anonymous shoppers place orders)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        bearer = request.headers.get("Authorization", "").lower().startswith("bearer ")
        kind = "token" if bearer else ("staff" if user.is_staff else "customer")
        return Actor(f"{kind}:{user.get_username()}", request_id)
    return Actor("customer", request_id)


class AuditActorMiddleware:
    """Attributes the request's transactions to its user, with a request id.

    The id is the client's ``X-Request-ID`` when it is a sane token, else a
    new one; the response carries it back.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        # The user is known only after authentication, which for API tokens
        # happens in the view: resolve the actor when a transaction starts.
        with acting_as(lambda: request_actor(request, request_id)):
            response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response
