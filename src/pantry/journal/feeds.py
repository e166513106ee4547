"""The Atom feed of public posts (``/journal/feed/``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from pantry.core.text import xml_safe
from pantry.journal import queries
from pantry.journal.models import Post


def _xml_safe(value: Any) -> Any:
    if isinstance(value, str):
        return xml_safe(value)
    if isinstance(value, list | tuple):
        return [_xml_safe(part) for part in value]
    return value


class AtomWithContent(Atom1Feed):
    """Atom with the rendered post in ``<content type="html">``.

    Writes refuse text XML cannot hold; each entry is cleaned all the same,
    so one stored row can never make the whole feed fail.
    """

    def add_item_elements(self, handler: Any, item: dict[str, Any]) -> None:
        item = {name: _xml_safe(value) for name, value in item.items()}
        super().add_item_elements(handler, item)
        if item.get("content_html"):
            handler.addQuickElement("content", item["content_html"], {"type": "html"})


class JournalFeed(Feed):
    feed_type = AtomWithContent
    title = "pantry journal"
    subtitle = "Recipes, guides and news from the pantry shop."
    author_name = "pantry"

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        # Load the posts once per request (the Feed instance is shared by
        # threads, so they cannot live on it).
        return queries.feed_posts()

    def link(self) -> str:
        return reverse("journal:index")

    def feed_url(self) -> str:
        return reverse("journal:feed")

    def items(self, posts: list[Post]) -> list[Post]:
        return posts

    def item_title(self, item: Post) -> str:
        return item.title

    def item_description(self, item: Post) -> str:
        return item.excerpt

    def item_link(self, item: Post) -> str:
        return reverse("journal:post", args=[item.slug])

    def item_guid(self, item: Post) -> str:
        # A tag URI stays the entry's id when the slug or domain changes.
        return f"tag:pantry,{item.published_at:%Y-%m-%d}:post:{item.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: Post) -> datetime | None:
        return item.published_at

    def item_updateddate(self, item: Post) -> datetime:
        return max(item.updated_at, item.published_at or item.updated_at)

    def item_author_name(self, item: Post) -> str:
        return item.author.display_name

    def item_author_link(self, item: Post) -> str:
        return reverse("journal:author", args=[item.author.user.username])

    def item_categories(self, item: Post) -> list[str]:
        return list(item.tags)

    def item_extra_kwargs(self, item: Post) -> dict[str, Any]:
        return {"content_html": item.body_html}
