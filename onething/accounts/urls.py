from django.contrib.auth import views as auth_views
from django.urls import path

from . import oidc, twofactor, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("2fa/", twofactor.verify, name="two_factor"),
    path("2fa/setup/", twofactor.setup, name="two_factor_setup"),
    # Province unified identity (OpenID Connect); 404 unless configured.
    path("oidc/authenticate/", oidc.start, name="oidc_start"),
    path("oidc/callback/", oidc.callback, name="oidc_callback"),
]
