"""Every write request is one transaction: a 5xx or an exception undoes it."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from django.conf import settings
from django.db import DatabaseError, OperationalError, connection, transaction
from django.http import HttpRequest, HttpResponse

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# Deadlock and serialisation failure: PostgreSQL aborted the transaction
# and running it again may succeed.
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})
ATTEMPTS = 3


class WriteTransactionMiddleware:
    """Runs each POST, PUT, PATCH and DELETE in one transaction.

    Services open their own transactions; inside this one they become
    savepoints, so a domain error still undoes only its service's work and
    a 4xx answer commits what the request legitimately recorded (a failed
    sign-in, say). A 5xx answer, however it came about (an exception in a
    view, in rendering, in a later middleware), rolls everything back: a
    500 never leaves a write behind. Services that retry a deadlock only in
    a transaction of their own (order placement) leave the retry to this
    caller, which runs the whole request again.

    When no transaction can be opened (the database is down), the request
    runs as it would without one, so that the code answering a database
    outage sees the error it expects.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in SAFE_METHODS:
            return self.get_response(request)
        response = None
        for _attempt in range(ATTEMPTS):
            request._pantry_write_error = None  # type: ignore[attr-defined]
            with contextlib.ExitStack() as stack:
                try:
                    stack.enter_context(transaction.atomic())
                except DatabaseError:
                    return self.get_response(request)
                stack.enter_context(prepared_statements())
                response = self.get_response(request)
                if response.status_code >= 500:
                    transaction.set_rollback(True)
            if not retryable(getattr(request, "_pantry_write_error", None)):
                break
        assert response is not None
        return response

    def process_exception(
        self, request: HttpRequest, exception: Exception
    ) -> HttpResponse | None:
        # Django turns the exception into a 500 before __call__ sees it:
        # keep it to tell a deadlock (run again) from any other failure.
        request._pantry_write_error = exception  # type: ignore[attr-defined]
        return None


@contextlib.contextmanager
def prepared_statements() -> Iterator[None]:
    """Prepare the statements the connection repeats, until the block ends.

    Only writes: their statements are fixed and few, and a prepared one is
    neither parsed nor planned again. Reads keep a plan made for their
    values each time: a generic plan for a price range or a tag (made
    without the values) can be far worse than the one for these values.
    """
    raw = connection.connection
    threshold = settings.PANTRY_WRITE_PREPARE_THRESHOLD
    if raw is None or threshold is None:
        yield
        return
    raw.prepare_threshold = threshold
    try:
        yield
    finally:
        raw.prepare_threshold = None


def retryable(error: BaseException | None) -> bool:
    """A deadlock or serialisation failure: the request may run again."""
    return isinstance(error, OperationalError) and (
        getattr(error.__cause__, "sqlstate", None) in RETRYABLE_SQLSTATES
    )
