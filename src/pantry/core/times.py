"""Times and days the API accepts: only those Python and PostgreSQL both hold.

Python accepts UTC offsets up to ±23:59 and years 1..9999 in local time;
PostgreSQL refuses offsets beyond ±15:59 ("time zone displacement out of
range"), and a local time in year 1 or 9999 may fall outside Python's
years once in UTC (``0001-01-01T00:00:00+01:00`` is 1 BC in UTC, which
PostgreSQL stores and Python cannot read back). Schemas declare times as
``Moment`` (``AwareMoment`` when the offset is required) and report days as
``Day``; anything else is a validation error naming the field.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime

MAX_OFFSET = timedelta(hours=15, minutes=59)
# A day must leave room for the day after it (report ranges end there).
FIRST_DAY = date.min
LAST_DAY = date.max - timedelta(days=1)


def storable_moment(value: datetime) -> datetime:
    """``value`` in UTC (a naive one is taken as UTC), or ValueError."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    offset = value.utcoffset()
    if offset is not None and abs(offset) > MAX_OFFSET:
        raise ValueError("the UTC offset must lie within -15:59..+15:59")
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("lies outside the years 1..9999 in UTC") from None


def storable_day(value: date) -> date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ValueError(f"must lie within {FIRST_DAY}..{LAST_DAY}")
    return value


Moment = Annotated[datetime, AfterValidator(storable_moment)]
AwareMoment = Annotated[AwareDatetime, AfterValidator(storable_moment)]
Day = Annotated[date, AfterValidator(storable_day)]
