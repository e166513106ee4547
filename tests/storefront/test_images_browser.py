"""Product images in a real browser: srcset chosen, alt text, no layout shift."""

from __future__ import annotations

import time
from typing import Any

# Sums layout shifts not caused by input, from the first paint on (installed
# by Playwright before any page script, so the page's CSP does not apply).
CLS_OBSERVER = """
window.__cls = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (!entry.hadRecentInput) window.__cls += entry.value;
  }
}).observe({type: "layout-shift", buffered: true});
"""
SCROLL_THROUGH = """
async () => {
  const step = Math.max(200, window.innerHeight / 2);
  for (let y = 0; y < document.body.scrollHeight; y += step) {
    window.scrollTo(0, y);
    await new Promise((done) => setTimeout(done, 60));
  }
  await Promise.all([...document.images].map((img) => img.decode().catch(() => null)));
  await new Promise((done) => setTimeout(done, 200));
}
"""
IMAGES = """
(selector) => [...document.querySelectorAll(selector)].map((img) => ({
  alt: img.getAttribute("alt"),
  width: img.getAttribute("width"),
  height: img.getAttribute("height"),
  loading: img.getAttribute("loading"),
  srcset: img.getAttribute("srcset") || "",
  webp: img.closest("picture")?.querySelector("source")?.getAttribute("srcset") || "",
  current: img.currentSrc,
  complete: img.complete && img.naturalWidth > 0,
}))
"""


def _shown(
    visitor: Any, path: str, selector: str, *, delay: float
) -> tuple[list[dict], float]:
    """The images matching ``selector`` after loading ``path`` and scrolling
    through it, and the page's cumulative layout shift meanwhile."""
    visitor.page.add_init_script(CLS_OBSERVER)
    cdp = visitor.page.context.new_cdp_session(visitor.page)
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})

    def late(route: Any) -> None:
        # Images answer only after the page has painted: that is when
        # missing dimensions would make the layout jump. (Blocking here
        # holds back this response only; the browser keeps rendering.)
        time.sleep(delay)
        route.continue_()

    visitor.page.route("**/media/**", late)
    response = visitor.goto(path)
    assert response.status == 200
    visitor.page.evaluate(SCROLL_THROUGH)
    return visitor.page.evaluate(IMAGES, selector), visitor.page.evaluate(
        "window.__cls"
    )


def _candidates(image: dict) -> set[str]:
    return {
        part.strip().split(" ")[0]
        for srcset in (image["srcset"], image["webp"])
        for part in srcset.split(",")
        if part.strip()
    }


def test_the_list_shows_product_images_from_their_srcset_without_shifting(
    visitor: Any,
) -> None:
    images, shift = _shown(visitor, "/products/", ".product-card img", delay=0.05)

    assert len(images) >= 8
    for image in images:
        assert (image["alt"] or "").startswith("Drawing of "), image
        assert (image["width"], image["height"]) == ("480", "360"), image
        assert image["complete"], image
        # The browser picked one of the offered renditions (WebP here).
        assert image["current"].split("/", 3)[3] in {
            c.lstrip("/") for c in _candidates(image)
        }, image
        assert ".webp" in image["current"], image
    # The first row loads at once; the rest when scrolled near.
    assert images[0]["loading"] is None
    assert images[-1]["loading"] == "lazy"
    assert shift < 0.05, f"cumulative layout shift {shift:.3f}"
    visitor.check_accessibility()
    visitor.screenshot("product-list-images")


def test_a_product_page_shows_its_image_with_alt_text_without_shifting(
    visitor: Any,
) -> None:
    visitor.goto("/products/")
    href = visitor.page.locator(".product-card h3 a").first.get_attribute("href")

    images, shift = _shown(visitor, href, ".product-gallery img", delay=0.5)

    assert len(images) == 1
    (image,) = images
    assert image["alt"].startswith("Drawing of ")
    assert image["loading"] is None
    assert image["complete"]
    assert image["current"].split("/", 3)[3] in {
        c.lstrip("/") for c in _candidates(image)
    }
    assert shift < 0.05, f"cumulative layout shift {shift:.3f}"
    visitor.check_accessibility()
    visitor.screenshot("product-page-image")
