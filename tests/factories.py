"""The rows tests build, in one place: catalog, journal, customers, checkout.

Defaults are the plainest valid row; a test passes whatever its assertions
rely on. Variants default to 10 in stock and nothing to ship, so an order of
them needs no address; shipping tests say ``requires_shipping=True``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.utils import timezone

from pantry.catalog.models import Category, Product, Promotion, Variant
from pantry.customers.models import Customer
from pantry.customers.services import sign_up
from pantry.journal.models import Author, Post
from pantry.journal.render import derive_excerpt, render_markdown
from pantry.shipping.models import Zone
from pantry.shipping.services import add_method, add_rate, create_zone
from pantry.tax.models import TaxClass
from pantry.tax.services import add_tax_rate

# -- catalog ----------------------------------------------------------------


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
    description = ""
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
    stock = 10
    requires_shipping = False


def _this_week() -> DateTimeTZRange:
    now = timezone.now()
    return DateTimeTZRange(now - timedelta(days=1), now + timedelta(days=1))


class PromotionFactory(factory.django.DjangoModelFactory):
    """Running now, from yesterday to tomorrow."""

    class Meta:
        model = Promotion

    product = factory.SubFactory(ProductFactory)
    percent_off = Decimal("10")
    during = factory.LazyFunction(_this_week)


def product_with_prices(
    slug: str,
    *,
    in_category: Category,
    prices: Iterable[str] = ("10.00",),
    stock: int = 5,
    **fields: Any,
) -> Product:
    """A product with one variant a price (SKUs SLUG-1, SLUG-2, ...)."""
    fields.setdefault("name", slug.replace("-", " ").title())
    item = ProductFactory(slug=slug, category=in_category, **fields)
    for index, price in enumerate(prices, start=1):
        VariantFactory(
            sku=f"{slug.upper()}-{index}",
            product=item,
            price=Decimal(price),
            stock=stock,
            options={"size": f"S{index}"},
            requires_shipping=True,
        )
    return item


# -- journal ----------------------------------------------------------------


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
    """A public post unless told otherwise; HTML and excerpt as the services
    make them. Each one is a minute older than the one before."""

    class Meta:
        model = Post

    title = factory.Sequence(lambda n: f"Post number {n}")
    slug = factory.Sequence(lambda n: f"post-number-{n}")
    body = ""
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


# -- customers --------------------------------------------------------------

PASSWORD = "correct horse battery"


def make_customer(
    email: str = "ada@example.com", name: str = "Ada Lovelace", **fields: Any
) -> Customer:
    """A signed-up customer (password ``PASSWORD``), ``fields`` set after."""
    customer = sign_up(email=email, password=PASSWORD, name=name)
    if fields:
        Customer.objects.filter(pk=customer.pk).update(**fields)
        customer.refresh_from_db()
    return customer


# -- checkout: shipping and tax ---------------------------------------------

SINCE_2020 = datetime(2020, 1, 1, tzinfo=UTC)


def eu_shipping(*, express_max_weight_g: int | None = None) -> Zone:
    """Zone EU (DE, FR): eu-standard at 4.90 EUR, eu-express at 9.90 EUR."""
    zone = create_zone(name="EU", countries=["DE", "FR"])
    add_method(zone=zone, code="eu-standard", name="Standard")
    add_method(zone=zone, code="eu-express", name="Express")
    add_rate(method_code="eu-standard", currency="EUR", price=Decimal("4.90"))
    add_rate(
        method_code="eu-express",
        currency="EUR",
        price=Decimal("9.90"),
        max_weight_g=express_max_weight_g,
    )
    return zone


def german_tax(*, reduced: bool = True) -> None:
    """19% on the standard class in DE and, with ``reduced``, a reduced class
    at 7%. The standard class itself is the ``standard_tax_class`` fixture's."""
    add_tax_rate(
        tax_class="standard", country="DE", rate=Decimal("19"), valid_from=SINCE_2020
    )
    if reduced:
        TaxClass.objects.create(code="reduced", name="Reduced")
        add_tax_rate(
            tax_class="reduced", country="DE", rate=Decimal("7"), valid_from=SINCE_2020
        )
