from django.urls import path

from pantry.payments import views

app_name = "payments"
urlpatterns = [
    path("payments/fake/<str:ref>/", views.fake_payment_page, name="fake"),
]
