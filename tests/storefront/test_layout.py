"""The site layout, error pages and security headers, through Django's client."""

from __future__ import annotations

import pytest

from tests.helpers import assert_error, assert_in_html, tags


def test_pages_carry_a_csp_without_inline_scripts(client, db):
    response = client.get("/")

    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def test_pages_have_no_inline_script_or_event_handler(client, db):
    html = client.get("/").content.decode()

    assert "<script>" not in html
    assert " onclick=" not in html
    assert " style=" not in html
    assert_in_html(
        '<script src="/static/vendor/htmx/htmx.min.js" defer></script>', html
    )


def test_layout_has_a_skip_link_and_a_labelled_search_box(client, db):
    html = client.get("/").content.decode()

    assert_in_html('<a class="skip-link" href="#main">Skip to content</a>', html)
    assert tags(html, "main", id="main")
    assert tags(html, "label", for_="site-search")
    assert tags(html, "input", id="site-search")


def test_unknown_page_is_a_404_in_the_site_design(client, db):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert_in_html('<h1 id="error-title">Page not found</h1>', html)
    assert "/static/vendor/pico/pico.min.css" in html


def test_unknown_api_path_keeps_the_json_error_shape(api, db):
    response = api.get("/api/v1/no-such-thing")

    assert_error(response, 404, "not_found")


@pytest.mark.parametrize(
    ("template", "title"),
    [
        ("400.html", "Bad request"),
        ("403.html", "Not allowed"),
        ("403_csrf.html", "Form expired"),
        ("404.html", "Page not found"),
        ("500.html", "Something went wrong"),
    ],
)
def test_error_templates_render_without_a_request(template, title):
    from django.template.loader import get_template

    html = get_template(template).render()

    assert_in_html(f'<h1 id="error-title">{title}</h1>', html)
    assert "/static/pantry/site.css" in html


def test_a_form_posted_without_csrf_token_gets_the_styled_403(db):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)

    response = client.post("/", {})

    assert response.status_code == 403
    assert_in_html('<h1 id="error-title">Form expired</h1>', response.content.decode())


def test_server_error_is_a_styled_500_page(client, db, settings):
    from django.urls import path

    from pantry.urls import urlpatterns

    def boom(request):
        raise RuntimeError("boom")

    # The site's own routes too: the page links to them by name.
    routes = [path("boom/", boom), *urlpatterns]
    settings.ROOT_URLCONF = type("Urls", (), {"urlpatterns": routes})
    client.raise_request_exception = False

    response = client.get("/boom/")

    assert response.status_code == 500
    assert_in_html(
        '<h1 id="error-title">Something went wrong</h1>', response.content.decode()
    )


def test_templates_link_by_url_name_not_by_path():
    import re

    from tests.helpers import ROOT

    hard_coded = re.compile(r'\b(?:href|action|hx-get|hx-post)="/')
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "src" / "pantry").rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if hard_coded.search(line)
    ]

    assert found == []
