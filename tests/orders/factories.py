"""Catalog rows that orders need: a variant with price and stock."""

from __future__ import annotations

from decimal import Decimal

import factory

from pantry.catalog.models import Category, Product, Variant


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    slug = "pantry"
    name = "Pantry"
    path = factory.LazyAttribute(lambda category: category.slug.replace("-", "_"))


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    name = factory.Sequence(lambda n: f"Product {n}")
    slug = factory.Sequence(lambda n: f"product-{n}")
    category = factory.SubFactory(CategoryFactory)


class VariantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Variant

    sku = factory.Sequence(lambda n: f"SKU-{n}")
    product = factory.SubFactory(ProductFactory)
    price = Decimal("10.00")
    currency = "EUR"
    stock = 10
    # Nothing to ship unless a test is about shipping: an order of these
    # needs no address (tests/orders/test_checkout_placement.py ships).
    requires_shipping = False
