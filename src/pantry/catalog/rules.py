"""Product input rules shared by the API schemas, the services and the
importer: limits read from the model fields, tag normalisation, slugs."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.text import slugify

from pantry.catalog.models import TAG_MAX_LENGTH, Category, Product, Variant


def _max_length(model: type, name: str) -> int:
    length = model._meta.get_field(name).max_length  # type: ignore[attr-defined]
    assert isinstance(length, int)
    return length


NAME_MAX = _max_length(Product, "name")
SLUG_MAX = _max_length(Product, "slug")
CATEGORY_SLUG_MAX = _max_length(Category, "slug")
SKU_MAX = _max_length(Variant, "sku")
TAG_MAX = TAG_MAX_LENGTH  # the tags array field's base field
SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"


def derive_slug(name: str) -> str:
    """The slug of a product named ``name``: slugified, cut to the column,
    without a dash left at the cut; "" when the name has no letter or digit."""
    return slugify(name)[:SLUG_MAX].strip("-")


def normal_tag(tag: str) -> str:
    """A tag as stored: trimmed and lower case."""
    return tag.strip().lower()


def normal_tags(tags: Iterable[str]) -> list[str]:
    """Tags as stored, each once, in the order given."""
    return list(dict.fromkeys(normal_tag(tag) for tag in tags))
