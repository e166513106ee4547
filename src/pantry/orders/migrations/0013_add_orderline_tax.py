from django.contrib.postgres.operations import (
    AddConstraintNotValid,
    ValidateConstraint,
)
from django.db import migrations, models
from django.db.models import F, Q


class Migration(migrations.Migration):
    """Order lines keep their discount share, tax class, net, rate, tax and gross.

    Existing lines had no tax: the columns arrive as 0 (a default dropped
    right after, so new writers must set them), then net = gross =
    line_total is backfilled before the CHECKs that they add up.

    The migration linter (settings) is told to pass this one: it flags the
    dropped defaults because code from before would insert lines without
    these columns. Such code fails the CHECKs anyway, whose point is that
    every line carries its tax: deploy it with the code that writes them
    (placements of the old code, during the switch, are refused whole).
    """

    # CHECKs are added NOT VALID (a moment's lock) and validated in a
    # transaction of their own, which lets reads and writes go on meanwhile.
    atomic = False

    dependencies = [("orders", "0012_add_order_subtotal_and_tax")]

    operations = [
        *(
            migrations.AddField(
                model_name="orderline",
                name=name,
                field=models.DecimalField(
                    decimal_places=places, default=0, max_digits=digits
                ),
                preserve_default=False,
            )
            for name, digits, places in [
                ("discount", 14, 2),
                ("net", 14, 2),
                ("tax_rate", 7, 4),
                ("tax", 14, 2),
                ("gross", 14, 2),
            ]
        ),
        # Earlier lines were of products of the default class, as good as
        # any guess for history that was not taxed.
        migrations.AddField(
            model_name="orderline",
            name="tax_class",
            field=models.CharField(default="standard", max_length=32),
            preserve_default=False,
        ),
        # Reversing drops the columns, so undoing the backfill is moot.
        migrations.RunSQL(
            "UPDATE orders_orderline SET net = line_total, gross = line_total",
            reverse_sql=migrations.RunSQL.noop,
        ),
        AddConstraintNotValid(
            model_name="orderline",
            constraint=models.CheckConstraint(
                condition=Q(net__gte=0)
                & Q(tax__gte=0)
                & Q(tax_rate__gte=0)
                & Q(tax_rate__lte=100)
                & Q(gross=F("net") + F("tax")),
                name="orders_orderline_tax_adds_up",
            ),
        ),
        AddConstraintNotValid(
            model_name="orderline",
            constraint=models.CheckConstraint(
                condition=Q(discount__gte=0)
                & Q(discount__lte=F("line_total"))
                & (
                    Q(gross=F("line_total") - F("discount"))
                    | Q(net=F("line_total") - F("discount"))
                ),
                name="orders_orderline_discount_fits",
            ),
        ),
        ValidateConstraint(model_name="orderline", name="orders_orderline_tax_adds_up"),
        ValidateConstraint(model_name="orderline", name="orders_orderline_discount_fits"),
    ]
