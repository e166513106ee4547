"""``{% product_card product forloop.counter %}``: a product card, rendered
once per distinct card.

A page of 24 cards spent about half its Python time in the card template
(an ``{% include %}`` per card, and one more for its image). A card's HTML is
a function of the card alone (``queries.ProductCard``: name, prices,
promotion, stock, image URLs) and of whether it is above the fold, so it is
remembered per worker keyed by the card's full value: a change to any of
those (a write, a promotion starting, the last unit sold) is a different
key, so nothing is served stale. With DEBUG on, every card is rendered, so
an edited template shows at once.
"""

from __future__ import annotations

from django import template
from django.conf import settings
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe

from pantry.catalog.queries import ProductCard

register = template.Library()

CARD_TEMPLATE = "catalog/_product_card.html"
# The first row of the grid loads its image eagerly (_product_card.html).
EAGER_UP_TO = 4
# About 1 KB each; a full memo is dropped, not trimmed.
MEMO_SIZE = 4096
_memo: dict[tuple[str, bool], SafeString] = {}


def _render(card: ProductCard, *, eager: bool) -> SafeString:
    counter = 1 if eager else EAGER_UP_TO + 1
    # Already safe (a rendered template); mark_safe says so to the types.
    return mark_safe(  # noqa: S308
        get_template(CARD_TEMPLATE).render(
            {"product": card, "forloop": {"counter": counter}}
        )
    )


@register.simple_tag
def product_card(card: ProductCard, position: int) -> SafeString:
    eager = position <= EAGER_UP_TO
    if settings.DEBUG:
        return _render(card, eager=eager)
    # repr, not hash: Decimal("12.5") == Decimal("12.50"), but they show
    # differently.
    key = (repr(card), eager)
    html = _memo.get(key)
    if html is None:
        if len(_memo) >= MEMO_SIZE:
            _memo.clear()
        html = _memo[key] = _render(card, eager=eager)
    return html
