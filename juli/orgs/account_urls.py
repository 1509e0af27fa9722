from django.urls import path

from . import account_views

urlpatterns = [
    path("login/", account_views.LoginView.as_view(), name="login"),
    path("login/verify/", account_views.otp_verify, name="login-otp"),
    path("logout/", account_views.logout_view, name="logout"),
    path("account/", account_views.account, name="account"),
    path("account/password/", account_views.password_change, name="password-change"),
    path("account/totp/", account_views.totp_setup, name="totp-setup"),
    path("i18n/setlang/", account_views.set_language, name="set_language"),
]
