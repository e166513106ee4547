from __future__ import annotations

import io
import re
from contextlib import redirect_stdout

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from pantry.journal import demo
from pantry.journal.models import Author, Post
from pantry.journal.render import derive_excerpt, render_markdown
from pantry.journal.writing import Writer
from tests.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db


def test_written_html_and_excerpts_match_the_renderer():
    writer = Writer(5)

    for _ in range(300):
        piece = writer.piece()
        assert piece.html == render_markdown(piece.body), piece.body
        assert piece.excerpt == derive_excerpt(piece.body)


def test_the_same_seed_writes_the_same_text():
    assert Writer(3).piece() == Writer(3).piece()
    assert Writer(3).piece() != Writer(4).piece()


def test_demo_loads_public_posts_drafts_and_a_scheduled_post_once():
    assert demo.is_empty()

    summary = demo.load()

    assert (
        summary == "5 authors, 36 posts (2 drafts, 1 scheduled), 0 linked to products"
    )
    assert not demo.is_empty()
    assert Post.objects.public().count() == 33
    assert Author.objects.count() == 5
    assert all(post.body_html for post in Post.objects.all())


def test_demo_links_posts_to_existing_products():
    pantry = CategoryFactory(slug="pantry", name="Pantry")
    oils = CategoryFactory(slug="oils", name="Olive oil", parent=pantry)
    ProductFactory(slug="jaen-oil", name="Jaén Olive Oil", category=oils)
    # The right word in the wrong category is no link.
    ProductFactory(slug="oil-can", name="Olive Oil Can", category=pantry)

    demo.load()

    assert Post.objects.filter(products__slug="jaen-oil").exists()
    assert not Post.objects.filter(products__slug="oil-can").exists()


def test_demo_posts_have_distinct_bodies_that_repeat_no_sentence():
    demo.load()

    bodies = list(Post.objects.values_list("body", flat=True))
    titles = list(Post.objects.values_list("title", flat=True))

    assert len(set(bodies)) == len(bodies) == demo.POSTS
    assert len(set(titles)) == len(titles)
    for body in bodies:
        sentences = [s for s in re.split(r"(?<=[.?!])\s+|\n+", body) if s.strip()]
        assert len(set(sentences)) == len(sentences), body


def test_demo_posts_link_the_products_of_their_topic():
    from pantry.catalog.sample_data import demo as catalog_demo

    catalog_demo.load()
    topics = {topic.food: topic for topic in demo.TOPICS}

    summary = demo.load()

    assert summary.endswith(f"{demo.POSTS} linked to products")
    risotto = Post.objects.filter(title__icontains="risotto").first()
    assert risotto is not None
    assert {"rice", "spices"} == {
        p.category.slug for p in risotto.products.select_related("category")
    }
    for post in Post.objects.prefetch_related("products__category"):
        topic = next(t for t in topics.values() if t.food in post.body)
        assert post.products.exists(), post.title
        for product in post.products.all():
            assert set(product.category.path_slugs) & set(topic.categories)
            assert any(word in product.name.lower() for word in topic.products)


def seed(*args: str) -> str:
    # The seed command hands its own stdout to the app, so capture sys.stdout.
    out = io.StringIO()
    with redirect_stdout(out):
        call_command("seed", "journal", *args)
    return out.getvalue()


def test_seed_is_deterministic_and_adds_only_missing_posts():
    first = seed("--posts", "300", "--authors", "20")
    snapshot = list(Post.objects.order_by("slug").values_list("slug", "title", "tags"))
    again = seed("--posts", "300", "--authors", "20")
    more = seed("--posts", "350", "--authors", "20")

    assert first.startswith("journal: 300 new posts of 300, 20 authors")
    assert again.startswith("journal: 0 new posts of 300")
    assert more.startswith("journal: 50 new posts of 350")
    assert Author.objects.count() == 20
    kept = Post.objects.filter(slug__in=[row[0] for row in snapshot])
    assert sorted(kept.values_list("slug", "title", "tags")) == snapshot


def test_seeded_posts_mix_public_drafts_and_scheduled_with_rendered_html():
    seed("--posts", "400", "--authors", "30")

    public = Post.objects.public().count()
    drafts = Post.objects.filter(status="draft").count()
    post = Post.objects.public().order_by("id").first()

    assert 320 < public < 400
    assert 5 < drafts < 40
    assert post.body_html == render_markdown(post.body)
    assert post.excerpt == derive_excerpt(post.body)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--posts", "-1"], "--posts must be between 0 and 5000000."),
        (["--authors", "0"], "--authors must be between 1 and 100000."),
    ],
)
def test_seed_refuses_bad_counts(args, message):
    with pytest.raises(CommandError, match=message):
        seed(*args)
