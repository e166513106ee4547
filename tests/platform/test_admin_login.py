"""`pantry run` in development says how to log in to the admin."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import authenticate, get_user_model

from pantry.platform.management.commands.run import admin_login, site_url

pytestmark = pytest.mark.django_db


def test_the_first_run_creates_a_local_admin_and_shows_its_password_once():
    message = admin_login("http://127.0.0.1:8123")

    match = re.fullmatch(
        r"admin: log in at http://127\.0\.0\.1:8123/admin/ as admin with password "
        r"(\S+) \(shown once; `pantry changepassword admin` sets another\)",
        message,
    )
    assert match, message
    user = authenticate(username="admin", password=match[1])
    assert user is not None
    assert (user.is_superuser, user.is_staff) == (True, True)

    again = admin_login("http://127.0.0.1:8123")

    assert again == (
        "admin: http://127.0.0.1:8123/admin/ (forgot the password? "
        "`pantry changepassword USERNAME`; another admin: `pantry createsuperuser`)"
    )
    assert get_user_model().objects.filter(is_superuser=True).count() == 1


def test_a_staff_user_named_admin_is_left_alone():
    get_user_model().objects.create_user(username="admin", is_staff=True)

    message = admin_login("http://127.0.0.1:8000")

    assert re.search(r" as admin-[0-9a-f]{6} with password ", message), message
    assert get_user_model().objects.get(username="admin").is_superuser is False


def test_the_site_url_follows_the_port_unless_set(monkeypatch, settings):
    monkeypatch.delenv("PANTRY_SITE_URL", raising=False)
    assert site_url("127.0.0.1", 8123) == "http://127.0.0.1:8123"
    assert site_url("0.0.0.0", 8123) == "http://127.0.0.1:8123"  # noqa: S104
    assert site_url("::1", 8123) == "http://[::1]:8123"

    monkeypatch.setenv("PANTRY_SITE_URL", "https://shop.example.com")
    settings.PANTRY_SITE_URL = "https://shop.example.com"
    assert site_url("127.0.0.1", 8123) == "https://shop.example.com"
