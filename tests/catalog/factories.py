from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import factory
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.utils import timezone

from pantry.catalog.models import Category, Product, Promotion, Variant


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    slug = factory.Sequence(lambda n: f"category-{n}")
    name = factory.LazyAttribute(lambda o: o.slug.replace("-", " ").title())
    parent = None
    path = factory.LazyAttribute(
        lambda o: f"{o.parent.path}.{o.slug}" if o.parent else o.slug
    )


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    slug = factory.Sequence(lambda n: f"product-{n}")
    name = factory.LazyAttribute(lambda o: o.slug.replace("-", " ").title())
    category = factory.SubFactory(CategoryFactory)
    tags: Any = factory.LazyFunction(list)
    specs: Any = factory.LazyFunction(dict)
    attributes: Any = factory.LazyFunction(dict)


class VariantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Variant

    sku = factory.Sequence(lambda n: f"SKU-{n}")
    product = factory.SubFactory(ProductFactory)
    price = Decimal("10.00")
    currency = "EUR"
    stock = 5


class PromotionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Promotion

    product = factory.SubFactory(ProductFactory)
    percent_off = Decimal("10")
    during = factory.LazyFunction(
        lambda: DateTimeTZRange(
            timezone.now() - timedelta(days=1), timezone.now() + timedelta(days=1)
        )
    )
