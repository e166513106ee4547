"""Demo journal: five writers and three dozen posts, some about demo products.

Loaded by ``pantry demo --if-empty`` after the catalog, so posts can link
to the products they are about (none are needed). Text is deterministic; dates
count back from today so the journal looks alive.
"""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class Topic:
    """What a post is about, and the products it may link to.

    A post links only to products in ``categories`` (or below them) whose
    name holds one of ``products``: a risotto post links to risotto rice
    and saffron, never to a wok.
    """

    food: str
    tag: str
    places: list[str]
    categories: tuple[str, ...]
    products: tuple[str, ...]


TOPICS = [
    Topic("saffron", "spices", ["La Mancha", "Kashmir", "Khorasan"], ("spices",), ("saffron",)),
    Topic("smoked paprika", "spices", ["La Vera", "Murcia"], ("spices",), ("paprika",)),
    Topic("cumin", "spices", ["Rajasthan", "Anatolia"], ("spices",), ("cumin",)),
    Topic("black pepper", "spices", ["Kampot", "Tellicherry"], ("spices",), ("pepper",)),
    Topic("green tea", "tea", ["Uji", "Shizuoka"], ("tea",), ("green tea",)),
    Topic("black tea", "tea", ["Assam", "Darjeeling"], ("tea",), ("black tea",)),
    Topic("oolong", "tea", ["Wuyi", "Alishan"], ("tea",), ("oolong",)),
    Topic(
        "risotto", "rice", ["Piedmont", "Vercelli"], ("rice", "spices"),
        ("risotto rice", "saffron"),
    ),
    Topic("basmati rice", "rice", ["the Punjab", "Dehradun"], ("rice",), ("basmati",)),
    Topic("olive oil", "olive-oil", ["Jaén", "Crete", "Puglia"], ("oils",), ("olive oil",)),
    Topic(
        "espresso", "coffee", ["Naples", "Turin", "Trieste"],
        ("espresso-machines", "grinders"), ("espresso", "grinder"),
    ),
]  # fmt: skip


def is_empty() -> bool:
    return not Post.objects.exists()


def related(topic: Topic, products: list[Product]) -> list[str]:
    """Slugs of up to two products per word of ``topic``, in its categories."""
    slugs: list[str] = []
    for word in topic.products:
        slugs += [
            p.slug
            for p in products
            if word in p.name.lower()
            and set(p.category.path_slugs) & set(topic.categories)
            and p.slug not in slugs
        ][:2]
    return slugs


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
    products = list(
        Product.objects.filter(is_active=True).select_related("category").order_by("id")
    )
    writer = Writer(SEED)
    today = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0)
    linked = 0
    titles: set[str] = set()
    for number in range(POSTS):
        topic = TOPICS[number % len(TOPICS)]
        # Each post gets a title (and so a body) of its own.
        piece = writer.piece(
            paragraphs=2 + number % 6, topic=(topic.food, topic.tag, topic.places)
        )
        while piece.title in titles:
            piece = writer.piece(
                paragraphs=2 + number % 6, topic=(topic.food, topic.tag, topic.places)
            )
        titles.add(piece.title)
        if number < 2:
            status, published_at = Post.Status.DRAFT, None
        elif number == 2:
            status, published_at = Post.Status.PUBLISHED, today + timedelta(days=3)
        else:
            status = Post.Status.PUBLISHED
            published_at = today - timedelta(days=(number - 2) * 6, hours=number % 5)
        # Rotate through the matching products so posts of one topic differ.
        slugs = related(topic, products[number % 7 :] + products[: number % 7])
        linked += bool(slugs)
        services.create_post(
            user=None,
            author=WRITERS[number % len(WRITERS)][0],
            title=piece.title,
            body=piece.body,
            tags=piece.tags,
            status=status,
            published_at=published_at,
            products=slugs,
        )
    return (
        f"{len(WRITERS)} authors, {POSTS} posts (2 drafts, 1 scheduled), "
        f"{linked} linked to products"
    )
