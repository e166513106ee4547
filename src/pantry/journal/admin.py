"""Admin for authors and posts; saving a post goes through the services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe

from pantry.journal import services
from pantry.journal.models import Author, Post
from pantry.journal.render import derive_excerpt


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["display_name", "user"]
    list_select_related = ["user"]
    search_fields = ["display_name", "user__username"]
    ordering = ["display_name", "id"]
    autocomplete_fields = ["user"]


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["title", "author", "status", "published_at", "updated_at"]
    list_select_related = ["author"]
    list_filter = ["status"]
    search_fields = ["title", "slug"]
    # Newest first by primary key: served by an index on any table size.
    ordering = ["-id"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["author"]
    raw_id_fields = ["products"]
    readonly_fields = ["preview", "created_at", "updated_at"]
    fields = [
        "title",
        "slug",
        "author",
        "status",
        "published_at",
        "tags",
        "excerpt",
        "body",
        "preview",
        "products",
        "created_at",
        "updated_at",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Post]:
        # The changelist never shows bodies or vectors: do not load them.
        return super().get_queryset(request).defer("body", "body_html", "search_vector")

    @admin.display(description="Rendered preview")
    def preview(self, post: Post) -> SafeString:
        # body_html was sanitised with an allow-list when the post was saved.
        return mark_safe(post.body_html)  # noqa: S308

    def save_model(
        self, request: HttpRequest, obj: Post, form: Any, change: bool
    ) -> None:
        derived = True
        if change and "excerpt" in form.changed_data:
            derived = not obj.excerpt
        elif change:
            initial_body = form.initial.get("body", "")
            derived = form.initial.get("excerpt", "") == derive_excerpt(initial_body)
        else:
            derived = not obj.excerpt
        services.store_post(obj, derive=derived, render=True)
