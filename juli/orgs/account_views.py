"""Logging in (by username or phone, with an optional TOTP second step), logging out, and
the account page (password, second factor)."""

from __future__ import annotations

import base64
import io
from typing import Any

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import i18n as i18n_views
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import access, actions
from .models import User

PENDING_KEY = "juli_pending_otp"
MAX_OTP_TRIES = 5


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=gettext_lazy("Username or mobile number"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            return super().form_valid(form)
        # Password right, second factor still to come: remember who, not logged in yet.
        self.request.session[PENDING_KEY] = {
            "user": user.pk,
            "backend": getattr(user, "backend", ""),
            "next": self.get_success_url(),
            "tries": 0,
        }
        return redirect("login-otp")


class OtpForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Six-digit code from your authenticator app"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def otp_verify(request: HttpRequest) -> HttpResponse:
    pending: dict[str, Any] | None = request.session.get(PENDING_KEY)
    if not pending:
        return redirect("login")
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() if user else None
    if user is None or device is None:
        request.session.pop(PENDING_KEY, None)
        return redirect("login")
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"].strip()):
            request.session.pop(PENDING_KEY, None)
            user.backend = pending["backend"]  # type: ignore[attr-defined]
            login(request, user)
            otp_login(request, device)
            target = pending.get("next") or reverse("home")
            if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
                target = reverse("home")
            return HttpResponseRedirect(target)
        pending["tries"] = int(pending.get("tries", 0)) + 1
        if pending["tries"] >= MAX_OTP_TRIES:
            request.session.pop(PENDING_KEY, None)
            messages.error(request, _("Too many wrong codes. Sign in again."))
            return redirect("login")
        request.session[PENDING_KEY] = pending
        form.add_error(
            "token", _("That code is not right. Check your device's clock and try again.")
        )
    return render(request, "registration/otp.html", {"form": form})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("login")


class LanguageForm(forms.Form):
    language = forms.ChoiceField(
        label=gettext_lazy("Language"),
        required=False,
        help_text=gettext_lazy("Juli's pages and the notifications written for you."),
        error_messages={"invalid_choice": gettext_lazy("Choose one of the languages offered.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        default = dict(settings.LANGUAGES).get(settings.LANGUAGE_CODE, settings.LANGUAGE_CODE)
        site = gettext_lazy("The site's language (%(language)s)") % {"language": default}
        field = self.fields["language"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", site), *settings.LANGUAGES]


def _remember_language(response: HttpResponse, language: str) -> HttpResponse:
    """The language cookie follows the account's choice, so the sign-in page after a
    sign-out speaks it too ("" clears it: the browser's language again)."""
    if language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    else:
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME, path=settings.LANGUAGE_COOKIE_PATH)
    return response


@login_required
def account(request: HttpRequest) -> HttpResponse:
    """The account page; a POST saves the language choice (the only form posted here)."""
    user: User = request.user  # type: ignore[assignment]
    form = LanguageForm(request.POST or None, initial={"language": user.language})
    if request.method == "POST" and form.is_valid():
        language = form.cleaned_data["language"]
        actions.set_language(user, user, language)
        translation.activate(language or settings.LANGUAGE_CODE)
        messages.success(request, _("Your language has been saved."))
        return _remember_language(redirect("account"), language)
    has_totp = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    return render(
        request,
        "registration/account.html",
        {
            "has_totp": has_totp,
            "totp_offered": access.is_office(user),
            "language_form": form,
        },
    )


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch (cookie, redirect), which also stores the choice of a
    signed-in user: it then holds on every device and for their notifications."""
    response = i18n_views.set_language(request)
    language = request.POST.get("language", "") if request.method == "POST" else ""
    user = request.user
    if user.is_authenticated and language in dict(settings.LANGUAGES):
        actions.set_language(user, user, language)  # type: ignore[arg-type]
    return response


class PasswordForm(forms.Form):
    old_password = forms.CharField(
        label=gettext_lazy("Current password"), widget=forms.PasswordInput
    )
    new_password1 = forms.CharField(label=gettext_lazy("New password"), widget=forms.PasswordInput)
    new_password2 = forms.CharField(
        label=gettext_lazy("New password again"), widget=forms.PasswordInput
    )

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("old_password") and not self.user.check_password(data["old_password"]):
            self.add_error("old_password", _("The current password is not right."))
        if data.get("new_password1") != data.get("new_password2"):
            self.add_error("new_password2", _("The two new passwords differ."))
        return data


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    from django.contrib.auth import update_session_auth_hash
    from django.core.exceptions import ValidationError

    user: User = request.user  # type: ignore[assignment]
    form = PasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.change_password(user, user, form.cleaned_data["new_password1"])
        except ValidationError as exc:
            form.add_error("new_password1", exc)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("Your password has been changed."))
            return redirect("account")
    return render(request, "registration/password_change.html", {"form": form})


@login_required
def totp_setup(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    if not access.is_office(user):
        messages.info(request, _("A second factor is offered to office roles."))
        return redirect("account")
    if request.method == "POST" and request.POST.get("action") == "disable":
        actions.disable_totp(user)
        messages.success(request, _("The second factor is off."))
        return redirect("account")
    form = OtpForm(request.POST or None)
    if request.method == "POST" and request.POST.get("action") == "confirm" and form.is_valid():
        if actions.confirm_totp(user, form.cleaned_data["token"]):
            messages.success(
                request, _("The second factor is on. You will be asked for a code at sign-in.")
            )
            return redirect("account")
        form.add_error("token", _("That code is not right. Scan the code again and retry."))
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    else:
        device = actions.start_totp(user)
    assert device is not None
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    buf = io.BytesIO()
    image.save(buf)
    return render(
        request,
        "registration/totp_setup.html",
        {
            "form": form,
            "qr_svg": buf.getvalue().decode(),
            "secret": base64.b32encode(device.bin_key).decode(),
        },
    )
