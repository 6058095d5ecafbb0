from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views
from .forms import EmailAuthenticationForm, OutboxPasswordResetForm

app_name = "accounts"

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html",
            authentication_form=EmailAuthenticationForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("2fa/", views.two_factor, name="2fa"),
    path("2fa/setup/", views.two_factor_setup, name="2fa-setup"),
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(
            form_class=OutboxPasswordResetForm,
            template_name="accounts/password_reset.html",
            success_url=reverse_lazy("accounts:password-reset-sent"),
        ),
        name="password-reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_sent.html"),
        name="password-reset-sent",
    ),
    path(
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password-reset-complete"),
        ),
        name="password-reset-confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password-reset-complete",
    ),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation"),
    path("invitation/<str:token>/renew/", views.invitation_renew, name="invitation-renew"),
    path("tokens/", views.api_tokens, name="api-tokens"),
    path("tokens/<int:pk>/revoke/", views.api_token_revoke, name="api-token-revoke"),
    path("suppliers/<int:pk>/people/", views.supplier_people, name="supplier-people"),
    path(
        "suppliers/<int:pk>/people/<int:user_pk>/deactivate/",
        views.supplier_user_deactivate,
        name="supplier-user-deactivate",
    ),
    path("invitations/<int:pk>/withdraw/", views.invitation_withdraw, name="invitation-withdraw"),
]
