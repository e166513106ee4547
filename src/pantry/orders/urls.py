from django.urls import path

from pantry.orders import views

app_name = "orders"
urlpatterns = [
    path("cart/", views.cart_page, name="cart"),
    path("checkout/", views.checkout_page, name="checkout"),
    path("orders/<str:number>/", views.order_page, name="order"),
]
