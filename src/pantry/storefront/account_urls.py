from django.urls import path

from pantry.storefront import account_views as views

app_name = "account"
urlpatterns = [
    path("account/", views.account_page, name="home"),
    path("account/signup/", views.signup_page, name="signup"),
    path("account/login/", views.login_page, name="login"),
    path("account/logout/", views.logout_page, name="logout"),
    path("account/verify/", views.verify_page, name="verify"),
    path("account/email/", views.email_change_page, name="email"),
    path(
        "account/email/confirm/", views.email_change_confirm_page, name="email-confirm"
    ),
    path("account/password-reset/", views.password_reset_page, name="password-reset"),
    path(
        "account/password-reset/confirm/",
        views.password_reset_confirm_page,
        name="password-reset-confirm",
    ),
    path("account/addresses/new/", views.address_page, name="address-new"),
    path("account/addresses/<int:address_id>/", views.address_page, name="address"),
    path(
        "account/addresses/<int:address_id>/delete/",
        views.address_delete,
        name="address-delete",
    ),
    path(
        "account/addresses/<int:address_id>/default/",
        views.address_default,
        name="address-default",
    ),
]
