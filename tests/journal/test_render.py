from __future__ import annotations

import pytest

from pantry.journal.models import Post
from pantry.journal.render import derive_excerpt, render_markdown
from tests.factories import PostFactory
from tests.helpers import count_queries


@pytest.mark.parametrize(
    ("markdown", "html"),
    [
        ("<script>alert(1)</script>\n\nok", "\n<p>ok</p>\n"),
        ("<SCRIPT src=//evil.example></SCRIPT>", ""),
        ('<img src="x.png" onerror="alert(1)">', '<img src="x.png">'),
        ("<p onclick=alert(1) style=color:red>hi</p>", "<p>hi</p>"),
        (
            '<a href="javascript:alert(1)">x</a>',
            '<p><a rel="noopener noreferrer nofollow">x</a></p>\n',
        ),
        (
            '<a href="JaVaScRiPt:alert(1)">x</a>',
            '<p><a rel="noopener noreferrer nofollow">x</a></p>\n',
        ),
        ("[x](javascript:alert(1))", "<p>[x](javascript:alert(1))</p>\n"),
        ("![pic](data:image/png;base64,AAAA)", '<p><img alt="pic"></p>\n'),
        (
            '<a href="data:text/html,<script>alert(1)</script>">x</a>',
            '<p><a rel="noopener noreferrer nofollow">x</a></p>\n',
        ),
        ("<iframe src=https://evil.example></iframe>", ""),
        ("<style>body{display:none}</style>", ""),
        ('<form action="/x"><input name="a"></form>', ""),
    ],
)
def test_hostile_markup_is_sanitised(markdown, html):
    assert render_markdown(markdown) == html


def test_ordinary_markdown_renders_with_safe_links_and_tables():
    html = render_markdown(
        "## Oil\n\nSee [the shop](https://pantry.example/p/) or [home](/).\n\n"
        "| a | b |\n|---|---|\n| 1 | ~~2~~ |\n\n```\ncode <b>\n```"
    )

    assert html == (
        "<h2>Oil</h2>\n"
        '<p>See <a href="https://pantry.example/p/" rel="noopener noreferrer nofollow">'
        'the shop</a> or <a href="/" rel="noopener noreferrer nofollow">home</a>.</p>\n'
        "<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n"
        "<tbody>\n<tr>\n<td>1</td>\n<td><s>2</s></td>\n</tr>\n</tbody>\n</table>\n"
        "<pre><code>code &lt;b&gt;\n</code></pre>\n"
    )


def test_excerpt_is_plain_text_cut_at_a_word():
    body = "# Olive *oil*\n\n" + "Cold pressed & fresh, " * 30 + "<script>x()</script>"

    excerpt = derive_excerpt(body, length=40)

    assert excerpt == "Olive oil Cold pressed & fresh, Cold…"
    assert derive_excerpt("Short **one**.") == "Short one."


@pytest.mark.django_db
def test_rendered_html_is_stored_with_the_post_and_served_without_rendering(
    api, staff_token
):
    api.post(
        "posts",
        {"title": "Oil", "body": "*new*", "status": "published"},
        token=staff_token,
    )
    # Change the stored HTML behind the service's back: a reader that
    # rendered per request would show "<em>new</em>" again.
    Post.objects.update(body_html="<p>stored</p>")

    first = api.get("posts/oil")
    queries = count_queries(lambda: api.get("posts/oil"))

    assert first.body["html"] == "<p>stored</p>"
    assert api.get("/journal/oil/").body.count(b"<p>stored</p>") == 1
    assert queries == count_queries(lambda: api.get("posts/oil"))


@pytest.mark.django_db
def test_changing_only_the_title_keeps_the_stored_html(api, staff_token):
    PostFactory(slug="oil", body="*x*", body_html="<p>kept</p>")

    api.patch("posts/oil", {"title": "New title"}, token=staff_token)

    assert Post.objects.get().body_html == "<p>kept</p>"
