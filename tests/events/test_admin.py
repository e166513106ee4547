import pytest
from django.contrib.auth import get_user_model

from pantry.events.models import AuditRecord
from tests.factories import VariantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(user)
    return client


def test_staff_read_the_audit_log_in_the_admin_and_cannot_change_it(admin_client):
    VariantFactory(sku="MUG-1")
    record = AuditRecord.objects.filter(table_name="catalog_variant").get()

    listed = admin_client.get("/admin/events/auditrecord/")
    shown = admin_client.get(f"/admin/events/auditrecord/{record.pk}/change/")
    add = admin_client.get("/admin/events/auditrecord/add/")

    assert listed.status_code == 200
    assert b"catalog_variant" in listed.content
    assert shown.status_code == 200
    assert add.status_code == 403


def test_the_admin_lists_events_deliveries_and_endpoints(admin_client):
    for page in ("event", "delivery", "endpoint"):
        assert admin_client.get(f"/admin/events/{page}/").status_code == 200
