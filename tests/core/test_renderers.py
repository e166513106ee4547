"""The API's orjson renderer writes the values json.dumps with ninja's encoder wrote."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal

import pytest
from django.db import models
from django.utils.safestring import mark_safe
from ninja.responses import NinjaJSONEncoder

from pantry.core.renderers import dumps


class Status(models.TextChoices):
    PAID = "paid", "Paid"


class Rank(models.IntegerChoices):
    FIRST = 1, "First"


UTC = dt.UTC
PAYLOAD = {
    "money": Decimal("12.50"),
    "zero": Decimal("0.00"),
    "big": Decimal("123456789012.3400"),
    "at": dt.datetime(2026, 12, 1, 23, 59, 58, 123456, tzinfo=UTC),
    "at_whole_second": dt.datetime(2026, 12, 1, 8, 0, 0, tzinfo=UTC),
    "at_offset": dt.datetime(
        2026, 6, 1, 8, 0, 0, 5000, tzinfo=dt.timezone(dt.timedelta(hours=2))
    ),
    "naive": dt.datetime(2026, 1, 2, 3, 4, 5, 600000),
    "day": dt.date(2026, 2, 28),
    "clock": dt.time(7, 30, 15, 250000),
    "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "status": Status.PAID,
    "rank": Rank.FIRST,
    "safe": mark_safe("<b>x</b>"),
    "text": 'naïve \u2028 "quoted" </script> \U0001f375',
    "numbers": [0, -1, 2**53, 1.5, 0.1, 1e16, True, False, None],
    "nested": {"list": [{"a": []}], "empty": {}},
    7: "an int key",
}


def test_the_values_are_those_json_dumps_wrote():
    expected = json.loads(json.dumps(PAYLOAD, cls=NinjaJSONEncoder))
    assert json.loads(dumps(PAYLOAD)) == expected
    # The shapes a client sees for money and times, spelled out.
    got = json.loads(dumps(PAYLOAD))
    assert got["money"] == "12.50"
    assert got["at"] == "2026-12-01T23:59:58.123Z"
    assert got["at_offset"] == "2026-06-01T08:00:00.005+02:00"
    assert got["status"] == "paid"
    assert got["rank"] == 1
    assert got["7"] == "an int key"


def test_what_json_dumps_refused_is_still_refused():
    with pytest.raises(TypeError):
        dumps({"unknown": object()})
