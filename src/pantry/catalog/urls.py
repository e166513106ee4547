from django.urls import path

from pantry.catalog import views

app_name = "catalog"
urlpatterns = [
    path("favicon.ico", views.favicon, name="favicon"),
    path("products/", views.product_list, name="products"),
    path("categories/<slug:slug>/", views.category, name="category"),
]
