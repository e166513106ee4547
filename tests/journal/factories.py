from __future__ import annotations

from datetime import timedelta
from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from pantry.journal.models import Author, Post
from pantry.journal.render import derive_excerpt, render_markdown


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"writer{n}")
    is_staff = True


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author

    user = factory.SubFactory(UserFactory)
    display_name = factory.Sequence(lambda n: f"Writer {n}")
    bio = "Cooks, writes, tastes."


class PostFactory(factory.django.DjangoModelFactory):
    """A public post unless told otherwise; HTML and excerpt as the services make them."""

    class Meta:
        model = Post

    title = factory.Sequence(lambda n: f"Post number {n}")
    slug = factory.Sequence(lambda n: f"post-number-{n}")
    body = "Some *Markdown* about olive oil and bread."
    body_html = factory.LazyAttribute(lambda post: render_markdown(post.body))
    excerpt = factory.LazyAttribute(lambda post: derive_excerpt(post.body))
    tags: Any = factory.LazyFunction(list)
    author = factory.SubFactory(AuthorFactory)
    status = Post.Status.PUBLISHED
    published_at = factory.Sequence(
        lambda n: timezone.now() - timedelta(days=1, minutes=n)
    )


def draft(**kwargs: Any) -> Post:
    return PostFactory(status=Post.Status.DRAFT, published_at=None, **kwargs)


def scheduled(**kwargs: Any) -> Post:
    return PostFactory(published_at=timezone.now() + timedelta(days=2), **kwargs)
