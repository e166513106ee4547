"""The layout's memoised URLs are what ``{% url %}`` and ``{% static %}`` give."""

from __future__ import annotations

from django.template import Context, Template
from django.templatetags.static import static
from django.urls import clear_script_prefix, reverse, set_script_prefix


def render(source: str) -> str:
    return Template("{% load site_links %}" + source).render(Context())


def test_a_link_is_the_reversed_url_under_each_script_prefix():
    assert render("{% link 'catalog:products' %}") == reverse("catalog:products")
    set_script_prefix("/shop/")
    try:
        assert render("{% link 'catalog:products' %}") == "/shop/products/"
    finally:
        clear_script_prefix()
    assert render("{% link 'catalog:products' %}") == "/products/"


def test_an_asset_is_the_static_url():
    assert render("{% asset 'pantry/site.css' %}") == static("pantry/site.css")
