from django.urls import path

from pantry.orders import checkout_pages, views

app_name = "orders"
urlpatterns = [
    path("cart/", views.cart_page, name="cart"),
    path("checkout/", checkout_pages.address_step, name="checkout"),
    path(
        "checkout/shipping/",
        checkout_pages.shipping_step,
        name="checkout_shipping",
    ),
    path("checkout/review/", checkout_pages.review_step, name="checkout_review"),
    path("checkout/place/", checkout_pages.place_step, name="checkout_place"),
    path("orders/<str:number>/", views.order_page, name="order"),
]
