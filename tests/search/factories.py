"""Products and posts with only what search reads."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from pantry.catalog.models import Category, Product
from pantry.journal.models import Author, Post


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    slug = "things"
    name = "Things"
    path = "things"


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    slug = factory.Sequence(lambda n: f"product-{n}")
    name = factory.Sequence(lambda n: f"Item {n}")
    description = ""
    category = factory.SubFactory(CategoryFactory)
    tags: list[str] = []


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = "writer"


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author
        django_get_or_create = ("user",)

    user = factory.SubFactory(UserFactory)
    display_name = "Writer"


class PostFactory(factory.django.DjangoModelFactory):
    """A published post, public since an hour ago unless told otherwise."""

    class Meta:
        model = Post

    slug = factory.Sequence(lambda n: f"post-{n}")
    title = factory.Sequence(lambda n: f"Note {n}")
    body = ""
    tags: list[str] = []
    author = factory.SubFactory(AuthorFactory)
    status = Post.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
