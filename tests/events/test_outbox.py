from decimal import Decimal

import pytest
from django.db import transaction

from pantry.events.models import Delivery, Endpoint, Event
from pantry.events.outbox import emit, emit_many


def _endpoint(events: list[str], **extra: object) -> Endpoint:
    return Endpoint.objects.create(
        url="http://127.0.0.1:9/hook", events=events, secret="whsec_x", **extra
    )


@pytest.mark.django_db(transaction=True)
def test_an_event_exists_when_its_transaction_commits():
    with transaction.atomic():
        emit("order.paid", {"number": "PA-1"})

    event = Event.objects.get()
    assert (event.type, event.payload) == ("order.paid", {"number": "PA-1"})
    assert event.xid > 0


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_leaves_no_event_and_no_delivery():
    _endpoint(["order.paid"])

    def fail_after_emitting() -> None:
        with transaction.atomic():
            emit("order.paid", {"number": "PA-1"})
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        fail_after_emitting()

    assert not Event.objects.exists()
    assert not Delivery.objects.exists()


@pytest.mark.django_db
def test_emit_queues_a_delivery_for_each_live_endpoint_that_wants_the_type():
    wants = _endpoint(["order.paid", "order.placed"])
    everything = _endpoint(["*"])
    _endpoint(["product.created"])
    _endpoint(["order.paid"], is_active=False)

    emit("order.paid", {"number": "PA-1"})

    queued = Delivery.objects.order_by("endpoint_id")
    assert [d.endpoint_id for d in queued] == [wants.pk, everything.pk]
    assert {d.status for d in queued} == {"pending"}


@pytest.mark.django_db
def test_emit_many_writes_one_event_per_payload_in_one_query(
    django_assert_num_queries,
):
    with django_assert_num_queries(1):
        emit_many("stock.changed", [{"sku": "A", "stock": 1}, {"sku": "B", "stock": 2}])

    assert list(Event.objects.order_by("id").values_list("payload", flat=True)) == [
        {"sku": "A", "stock": 1},
        {"sku": "B", "stock": 2},
    ]


@pytest.mark.django_db
def test_emit_keeps_decimals_and_times_as_json_strings():
    emit("order.paid", {"total": Decimal("9.90")})

    assert Event.objects.get().payload == {"total": "9.90"}
