from django.urls import path

from pantry.journal import views
from pantry.journal.feeds import JournalFeed

app_name = "journal"
urlpatterns = [
    path("journal/", views.index, name="index"),
    path("journal/feed/", JournalFeed(), name="feed"),
    path("journal/tags/<str:tag>/", views.tag, name="tag"),
    path("journal/<slug:slug>/", views.post, name="post"),
    path("authors/<str:username>/", views.author, name="author"),
]
