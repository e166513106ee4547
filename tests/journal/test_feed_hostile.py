"""The feed never fails on stored data, whatever a row holds."""

from __future__ import annotations

from xml.dom import minidom

import pytest

from tests.factories import PostFactory
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db


def test_a_control_character_in_a_post_title_is_refused_at_write_time(api, staff_token):
    body = {"title": "Olive\x0boil", "body": "B", "status": "published"}

    error = assert_error(
        api.post("posts", body, token=staff_token), 422, "validation_error"
    )

    assert list(error["fields"]) == ["title"]


def test_the_feed_cleans_text_xml_cannot_hold_from_stored_posts(client):
    PostFactory(title="Olive\x0b oil\x1f", excerpt="Cold\x08 pressed", tags=["o\x01il"])

    response = client.get("/journal/feed/")

    assert response.status_code == 200
    feed = minidom.parseString(response.content)  # noqa: S318 (our own output)
    titles = [node.firstChild.data for node in feed.getElementsByTagName("title")]
    assert "Olive oil" in titles
