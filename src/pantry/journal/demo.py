"""Demo journal: five writers and three dozen posts, some about demo products.

Loaded by ``pantry demo --if-empty`` after the catalog, so posts can link
to whatever products exist (none are needed). Text is deterministic; dates
count back from today so the journal looks alive.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction

from pantry.catalog.models import Product
from pantry.journal import services
from pantry.journal.models import Author, Post
from pantry.journal.writing import Writer

WRITERS = [
    ("ada", "Ada", "Moreau", "Buys our olive oil and visits Jaén every November."),
    ("keiko", "Keiko", "Ito", "Tea and miso; runs the tasting table on Fridays."),
    ("marco", "Marco", "Greco", "Former chef; looks after pasta, rice and vinegar."),
    ("priya", "Priya", "Haddad", "Spices, pulses and anything that needs a grinder."),
    ("tomas", "Tomás", "Silva", "Coffee roaster, chocolate taster, early riser."),
]
POSTS = 36
SEED = 2026


def is_empty() -> bool:
    return not Post.objects.exists()


def _related(food: str, products: list[Product], number: int) -> list[str]:
    """Slugs of products named like ``food``, or else one picked by turn."""
    words = [word for word in food.lower().split() if len(word) > 3]
    named = [p.slug for p in products if any(w in p.name.lower() for w in words)]
    if named:
        return named[:3]
    if products and number % 3 == 0:
        return [products[number % len(products)].slug]
    return []


@transaction.atomic
def load() -> str:
    users = get_user_model().objects
    for username, first, last, bio in WRITERS:
        user, _ = users.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "is_staff": True},
        )
        author = services.ensure_author(user)
        Author.objects.filter(pk=author.pk).update(bio=bio)
    products = list(Product.objects.filter(is_active=True).order_by("id")[:500])
    writer = Writer(SEED)
    today = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0)
    linked = 0
    for number in range(POSTS):
        piece = writer.piece(paragraphs=2 + number % 9)
        if number < 2:
            status, published_at = Post.Status.DRAFT, None
        elif number == 2:
            status, published_at = Post.Status.PUBLISHED, today + timedelta(days=3)
        else:
            status = Post.Status.PUBLISHED
            published_at = today - timedelta(days=(number - 2) * 6, hours=number % 5)
        related = _related(piece.food, products, number)
        linked += bool(related)
        services.create_post(
            user=None,
            author=WRITERS[number % len(WRITERS)][0],
            title=piece.title,
            body=piece.body,
            tags=piece.tags,
            status=status,
            published_at=published_at,
            products=related,
        )
    return (
        f"{len(WRITERS)} authors, {POSTS} posts (2 drafts, 1 scheduled), "
        f"{linked} linked to products"
    )
