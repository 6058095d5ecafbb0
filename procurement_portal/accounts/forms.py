from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _

from procurement_portal.core import forms as portal_forms
from procurement_portal.core.text import parse_digits

from .lockout import normalize_login
from .password_reset import reset_request_allowed


class EmailAuthenticationForm(portal_forms.HardenedFormMixin, AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    error_messages = {
        "invalid_login": _("The e-mail address or password is not correct."),
        "inactive": _("This account is inactive."),
    }


class OutboxPasswordResetForm(portal_forms.HardenedFormMixin, PasswordResetForm):
    """Django's reset form; the request is counted against the limits and handed to a
    task, the same work whether or not the address is registered
    (procurement_portal.accounts.password_reset)."""

    def save(self, *args, request=None, **kwargs):
        from procurement_portal.core.net import client_ip

        from .tasks import send_password_reset

        email = normalize_login(self.cleaned_data["email"])
        client = client_ip(request) if request is not None else None
        if reset_request_allowed(email=email, client=client):
            send_password_reset.delay(email)


class TokenForm(portal_forms.Form):
    token = forms.CharField(
        label=_("Six-digit code from your authenticator app"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_token(self):
        token = self.cleaned_data["token"].replace(" ", "")
        if parse_digits(token) is None:
            raise forms.ValidationError(_("Enter the digits shown in your authenticator app."))
        return token


class AcceptInvitationForm(portal_forms.Form):
    full_name = forms.CharField(label=_("Your name"), max_length=200)
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        # An existing account confirms with its password alone (password2 is not asked).
        confirming = self.fields["password2"].required
        if confirming and data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        return data


class InviteForm(portal_forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    is_supplier_admin = forms.BooleanField(label=_("May invite colleagues"), required=False)
