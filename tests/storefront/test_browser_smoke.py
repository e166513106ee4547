"""The layout in a real browser: styles load under the CSP, no console errors,
no serious accessibility violations, search suggestions are keyboard-usable."""

from __future__ import annotations


def test_home_page_renders_styled_and_accessible(visitor):
    response = visitor.goto("/")

    assert response.status == 200
    background = visitor.page.evaluate(
        "getComputedStyle(document.querySelector('.skip-link')).position"
    )
    assert background == "absolute"
    visitor.check_accessibility()
    visitor.screenshot("home")


def test_skip_link_is_the_first_tab_stop_and_moves_to_main(visitor):
    visitor.goto("/")

    visitor.page.keyboard.press("Tab")
    focused = visitor.page.evaluate("document.activeElement.textContent")
    visitor.page.keyboard.press("Enter")
    # Following the link is a navigation of its own: wait for it.
    visitor.page.wait_for_url("**/#main")

    assert focused == "Skip to content"
    assert visitor.page.url.endswith("/#main")


def test_missing_page_is_the_styled_404(visitor):
    response = visitor.goto("/no-such-page/")
    # The console reports the page's own 404 status; that one is expected.
    expected = [error for error in visitor.errors if "/no-such-page/" in error]
    assert len(expected) == 1
    visitor.errors.remove(expected[0])

    assert response.status == 404
    assert visitor.page.locator("h1").text_content() == "Page not found"
    visitor.check_accessibility()
    visitor.screenshot("404")


def test_admin_login_works_under_the_csp(visitor):
    response = visitor.goto("/admin/login/")

    assert response.status == 200
    assert visitor.page.locator("#id_username").is_visible()


def test_api_docs_work_under_the_csp(visitor):
    response = visitor.goto("/api/v1/docs")
    visitor.page.locator(".swagger-ui .info").wait_for()

    assert response.status == 200
