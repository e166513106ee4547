"""Where ``core.text``'s rule is applied: before any view sees a request.

``HostileInputMiddleware`` checks the path (a 404), query parameters, form
fields and headers of every request (``q`` is cleaned instead);
``JsonParser`` checks that a JSON body the API parses is an object, every
key and value in it, and its depth. A refusal names the parameter or field
in API.md's error shape under /api/, and is the 400 page elsewhere.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render
from ninja.parser import Parser

from pantry.core.errors import Invalid
from pantry.core.text import json_problems, printable, refused_character, spaced

API_PREFIX = "/api/"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# Headers a proxy or client may fill with anything harmless to pantry; the
# others (Idempotency-Key, Authorization, cookies) reach code or the database.
_SKIPPED_HEADERS = frozenset({"HTTP_USER_AGENT", "HTTP_REFERER"})
# Any text is a valid search (API.md): refused characters in these query
# parameters become spaces instead of a refusal.
CLEANED_PARAMETERS = frozenset({"q"})


class BodyProblem(Invalid):
    default_detail = "The request body is invalid."


def request_problems(request: HttpRequest) -> tuple[str, dict[str, str]]:
    """``(detail, {field: reason})`` for the first refused input, or ``("", {})``.

    Raises TooManyFieldsSent or RequestDataTooBig as Django does, for the
    caller to answer.
    """
    for name, value in request.META.items():
        if not name.startswith("HTTP_") or name in _SKIPPED_HEADERS:
            continue
        if isinstance(value, str) and (reason := refused_character(value)):
            header = name[5:].replace("_", "-").title()
            return f"The header {header} is not accepted.", {header: reason}
    if any(refused_character(q) for q in _cleaned_values(request)):
        query = request.GET.copy()
        for name in CLEANED_PARAMETERS & set(query):
            query.setlist(name, [spaced(value) for value in query.getlist(name)])
        request.GET = query  # type: ignore[assignment]  # a cleaned copy
    sources = [("query parameter", request.GET)]
    if request.method == "POST" and request.content_type in FORM_TYPES:
        sources.append(("form field", request.POST))
    for kind, data in sources:
        for name, values in data.lists():
            shown = printable(name)
            if reason := refused_character(name):
                return f"The {kind} {shown!r} is not accepted.", {
                    shown: "the name " + reason
                }
            for value in values:
                if reason := refused_character(value):
                    return f"The {kind} {shown!r} is not accepted.", {shown: reason}
    return "", {}


def _cleaned_values(request: HttpRequest) -> list[str]:
    return [
        value
        for name in CLEANED_PARAMETERS & set(request.GET)
        for value in request.GET.getlist(name)
    ]


class HostileInputMiddleware:
    """Refuses requests carrying text pantry cannot store or show (400).

    A path holding such text names nothing: 404.

    Also answers Django's request limits (too many fields, too large a
    body), which it raises lazily on first access to GET, POST or the body,
    with a 400 in the error shape instead of wherever that access happens.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if refused_character(request.path_info):
            # No resource is named with such a character.
            return not_found(request)
        try:
            detail, fields = request_problems(request)
        except TooManyFieldsSent:
            return bad_request(
                request,
                "Too many parameters or form fields in one request.",
                code="too_many_fields",
            )
        except RequestDataTooBig:
            return bad_request(
                request, "The request body is too large.", code="body_too_large"
            )
        if fields:
            return bad_request(request, detail, fields=fields)
        return self.get_response(request)


def bad_request(
    request: HttpRequest,
    detail: str,
    *,
    code: str = "bad_request",
    fields: dict[str, str] | None = None,
) -> HttpResponse:
    """A 400: API.md's JSON error under /api/, the 400 page elsewhere."""
    if request.path.startswith(API_PREFIX):
        body: dict[str, Any] = {"error": code, "detail": detail}
        if fields:
            body["fields"] = fields
        return JsonResponse(body, status=400)
    # The page's search box reads request.GET, which may be what failed.
    request.GET = QueryDict()
    return render(request, "400.html", {"detail": detail}, status=400)


def not_found(request: HttpRequest) -> HttpResponse:
    """A 404: API.md's JSON error under /api/, the 404 page elsewhere."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"error": "not_found", "detail": "Not found."}, status=404)
    request.GET = QueryDict()
    return render(request, "404.html", status=404)


class JsonParser(Parser):
    """ninja's JSON parser with the edge's text rule and depth limit (422).

    ninja wraps any exception of a parser into a 400 "cannot parse" error;
    ``pantry.api`` answers one caused by a BodyProblem with the problem.
    """

    def parse_body(self, request: HttpRequest) -> Any:
        try:
            data = json.loads(request.body)
        except RecursionError:
            raise BodyProblem(
                "The request body is nested too deeply.",
                fields={"body": "nested too deeply"},
            ) from None
        # Every body pantry reads is an object. ninja would validate anything
        # else by attribute access: "text" has a .title, [] passes a PATCH.
        if not isinstance(data, dict):
            raise BodyProblem(
                "The request body must be a JSON object.",
                fields={"body": "not a JSON object"},
            )
        if fields := json_problems(data):
            raise BodyProblem(fields=fields)
        return data
