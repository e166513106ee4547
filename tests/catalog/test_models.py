import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import (
    IntegrityError,
    OperationalError,
    connection,
    connections,
    transaction,
)
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.utils import timezone

from pantry.catalog.models import Product, ProductSummary, Variant
from tests.factories import (
    CategoryFactory,
    ProductFactory,
    PromotionFactory,
    VariantFactory,
)

pytestmark = pytest.mark.django_db


def summary(product: Product) -> tuple[Decimal, Decimal, bool] | None:
    row = ProductSummary.objects.filter(product=product).first()
    return (row.price_min, row.price_max, row.has_stock) if row else None


def test_negative_stock_is_refused_by_the_database_even_through_raw_sql():
    variant = VariantFactory(stock=1)

    with (
        pytest.raises(IntegrityError, match="catalog_variant_stock_nonnegative"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE catalog_variant SET stock = -1 WHERE id = %s", [variant.pk]
        )

    assert Variant.objects.get(pk=variant.pk).stock == 1


def test_negative_price_is_refused_by_the_database_through_the_orm():
    variant = VariantFactory(price=Decimal("5.00"))

    with (
        pytest.raises(IntegrityError, match="catalog_variant_price_nonnegative"),
        transaction.atomic(),
    ):
        Variant.objects.filter(pk=variant.pk).update(price=Decimal("-0.01"))

    assert Variant.objects.get(pk=variant.pk).price == Decimal("5.00")


def test_overlapping_promotions_are_refused_by_the_database():
    now = timezone.now()
    first = PromotionFactory(during=DateTimeTZRange(now, now + timedelta(days=2)))

    with (
        pytest.raises(IntegrityError, match="catalog_promotion_no_overlap"),
        transaction.atomic(),
    ):
        PromotionFactory(
            product=first.product,
            during=DateTimeTZRange(now + timedelta(days=1), now + timedelta(days=3)),
        )

    assert first.product.promotions.count() == 1


def test_adjacent_promotions_of_one_product_are_allowed():
    now = timezone.now()
    first = PromotionFactory(during=DateTimeTZRange(now, now + timedelta(days=1)))

    PromotionFactory(
        product=first.product,
        during=DateTimeTZRange(now + timedelta(days=1), now + timedelta(days=2)),
    )

    assert first.product.promotions.count() == 2


def test_summary_follows_variant_inserts_updates_and_deletes():
    product = ProductFactory()
    cheap = VariantFactory(product=product, price=Decimal("5.00"), stock=0)
    VariantFactory(product=product, price=Decimal("9.50"), stock=0)
    assert summary(product) == (Decimal("5.00"), Decimal("9.50"), False)

    Variant.objects.filter(pk=cheap.pk).update(stock=3, price=Decimal("12.00"))
    assert summary(product) == (Decimal("9.50"), Decimal("12.00"), True)

    Variant.objects.filter(pk=cheap.pk).delete()
    assert summary(product) == (Decimal("9.50"), Decimal("9.50"), False)

    Variant.objects.filter(product=product).delete()
    assert summary(product) is None


def test_summary_follows_a_variant_moved_to_another_product():
    old, new = ProductFactory(), ProductFactory()
    moving = VariantFactory(product=old, price=Decimal("7.00"), stock=2)
    VariantFactory(product=old, price=Decimal("3.00"), stock=0)

    Variant.objects.filter(pk=moving.pk).update(product=new)

    assert summary(old) == (Decimal("3.00"), Decimal("3.00"), False)
    assert summary(new) == (Decimal("7.00"), Decimal("7.00"), True)


def test_summary_is_filled_by_copy_as_by_any_writer():
    product = ProductFactory()

    with (
        connection.cursor() as cursor,
        cursor.copy(
            "COPY catalog_variant (sku, product_id, options, price, currency, stock)"
            " FROM STDIN"
        ) as copy,
    ):
        copy.write_row(["C-1", product.pk, "{}", "4.20", "EUR", 0])
        copy.write_row(["C-2", product.pk, "{}", "8.40", "EUR", 7])

    assert summary(product) == (Decimal("4.20"), Decimal("8.40"), True)


def test_summary_is_emptied_by_truncate():
    VariantFactory()

    with connection.cursor() as cursor:
        # Django's foreign keys are deferred: check them now, as at commit.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE catalog_variant CASCADE")

    assert not ProductSummary.objects.exists()


def test_options_only_update_leaves_summary_untouched():
    variant = VariantFactory(price=Decimal("2.00"), stock=1)
    before = ProductSummary.objects.get(product=variant.product)

    Variant.objects.filter(pk=variant.pk).update(options={"size": "L"})

    after = ProductSummary.objects.get(product=variant.product)
    assert (after.price_min, after.has_stock) == (before.price_min, True)


def _summary_locked_elsewhere(product: Product) -> bool:
    """Whether another connection finds the product's summary row locked."""
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            # SET LOCAL: the connection may go back to the pool afterwards.
            cursor.execute("BEGIN")
            cursor.execute("SET LOCAL lock_timeout = '50ms'")
            try:
                cursor.execute(
                    "SELECT 1 FROM catalog_productsummary WHERE product_id = %s"
                    " FOR UPDATE",
                    [product.pk],
                )
            except OperationalError:
                return True
            finally:
                cursor.execute("ROLLBACK")
            return False
    finally:
        other.close()


@pytest.mark.django_db(transaction=True)
def test_stock_change_within_stock_leaves_summary_unlocked_and_crossing_zero_syncs():
    # Checkout changes stock on every order: only a change of in-stock state
    # may lock and recompute the summary.
    variant = VariantFactory(price=Decimal("2.00"), stock=5)

    with transaction.atomic():
        Variant.objects.filter(pk=variant.pk).update(stock=4)
        assert not _summary_locked_elsewhere(variant.product)

    with transaction.atomic():
        Variant.objects.filter(pk=variant.pk).update(stock=0)
        assert _summary_locked_elsewhere(variant.product)
    assert summary(variant.product) == (Decimal("2.00"), Decimal("2.00"), False)


def test_category_path_is_unique():
    CategoryFactory(slug="a")

    with pytest.raises(IntegrityError), transaction.atomic():
        CategoryFactory(slug="b", path="a")


@pytest.mark.django_db(transaction=True)
def test_concurrent_stock_changes_of_one_product_leave_the_summary_right():
    product = ProductFactory()
    first = VariantFactory(product=product, stock=1)
    second = VariantFactory(product=product, stock=1)
    errors: list[BaseException] = []

    def sell_second() -> None:
        try:
            with transaction.atomic():
                Variant.objects.filter(pk=second.pk).update(stock=0)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    with transaction.atomic():
        Variant.objects.filter(pk=first.pk).update(stock=0)
        other = threading.Thread(target=sell_second)
        other.start()
        # The other sale waits for this one's lock on the summary row...
        other.join(timeout=1)
        assert other.is_alive()
    # ...and, once this commits, recomputes from both committed changes.
    other.join(timeout=10)

    assert not errors
    assert summary(product) == (Decimal("10.00"), Decimal("10.00"), False)


def summary_category(product: Product) -> int | None:
    return (
        ProductSummary.objects.filter(product=product)
        .values_list("category_id", flat=True)
        .first()
    )


def test_summary_copies_the_category_and_follows_its_changes():
    product = ProductFactory()
    VariantFactory(product=product)
    assert summary_category(product) == product.category_id

    elsewhere = CategoryFactory()
    Product.objects.filter(pk=product.pk).update(category=elsewhere)
    assert summary_category(product) == elsewhere.pk

    # A product with no variants has no summary; a change is harmless.
    bare = ProductFactory()
    Product.objects.filter(pk=bare.pk).update(category=elsewhere)
    assert summary_category(bare) is None


@pytest.mark.django_db(transaction=True)
def test_a_first_variant_added_during_a_category_change_gets_the_new_category():
    product = ProductFactory()
    elsewhere = CategoryFactory()
    errors: list[BaseException] = []

    def add_variant() -> None:
        try:
            with transaction.atomic():
                VariantFactory(product=product)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    with transaction.atomic():
        Product.objects.filter(pk=product.pk).update(category=elsewhere)
        other = threading.Thread(target=add_variant)
        other.start()
        # The new summary waits for the product's category to settle...
        other.join(timeout=1)
        assert other.is_alive()
    other.join(timeout=10)

    # ...so it holds the category that was committed.
    assert not errors
    assert summary_category(product) == elsewhere.pk
