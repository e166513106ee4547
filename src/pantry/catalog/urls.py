from django.urls import path

from pantry.catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("products/", views.product_list, name="products"),
    path("products/<slug:slug>/", views.product_detail, name="product"),
    path("categories/<slug:slug>/", views.category, name="category"),
]
