"""The HTML checks of tests/helpers.py: layout may change, content may not."""

from __future__ import annotations

import pytest

from tests.helpers import assert_in_html, html_count, tags

PAGE = """<!DOCTYPE html>
<html lang="en"><body><main id="main" class="wide">
<table><tr><th scope="row">Power / Watts</th><td>2200</td></tr></table>
<p>Did you mean <a href="?q=kettle" rel="nofollow">kettle</a>?</p>
<ul><li>One</li><li>One</li></ul>
</main></body></html>"""

# The same page as a template re-indented, lines broken and attributes
# reordered would render it.
REINDENTED = """<!DOCTYPE html>
<html lang="en">
  <body>
    <main class="wide" id="main">
      <table>
        <tr>
          <th scope="row">
            Power / Watts
          </th>
          <td>2200</td>
        </tr>
      </table>
      <p>
        Did you mean
        <a rel="nofollow" href="?q=kettle">kettle</a>?
      </p>
      <ul>
        <li>One</li>
        <li>One</li>
      </ul>
    </main>
  </body>
</html>"""

SNIPPETS = [
    '<tr><th scope="row">Power / Watts</th><td>2200</td></tr>',
    '<p>Did you mean <a href="?q=kettle" rel="nofollow">kettle</a>?</p>',
    '<a href="?q=kettle" rel="nofollow">kettle</a>',
]


@pytest.mark.parametrize("snippet", SNIPPETS)
def test_a_snippet_matches_the_page_however_it_is_indented(snippet):
    # A substring check finds only the compact layout: the reason for the helper.
    assert snippet in PAGE
    assert snippet not in REINDENTED

    assert_in_html(snippet, PAGE)
    assert_in_html(snippet, REINDENTED)
    assert_in_html(snippet, REINDENTED.encode())


@pytest.mark.parametrize(
    "changed",
    [
        '<tr><th scope="row">Power / Watts</th><td>2300</td></tr>',
        '<tr><th scope="col">Power / Watts</th><td>2200</td></tr>',
        '<a href="?q=kettles" rel="nofollow">kettle</a>',
        '<a href="?q=kettle">kettle</a>',
        "<p>Did you mean kettle?</p>",
    ],
)
def test_a_change_of_content_or_attributes_does_not_match(changed):
    with pytest.raises(AssertionError):
        assert_in_html(changed, REINDENTED)


def test_count_counts_elements_not_lines():
    assert html_count(REINDENTED, "<li>One</li>") == 2
    assert_in_html("<li>One</li>", REINDENTED, count=2)
    with pytest.raises(AssertionError):
        assert_in_html("<li>One</li>", REINDENTED, count=1)


def test_tags_finds_an_element_by_its_attributes_in_any_order():
    assert tags(REINDENTED, "main", id="main") == [{"class": "wide", "id": "main"}]
    assert tags(REINDENTED, "main", class_="wide", id="main")
    assert tags(REINDENTED, "a", rel="nofollow")[0]["href"] == "?q=kettle"
    assert tags(REINDENTED, "main", id="content") == []
    assert tags(REINDENTED, "script") == []
