"""Signing a letter (one letter, or a meeting's signing session) and its PDF. The public
verification page is core's (`juli.core.views_verify`), mounted at `/letters/verify/`.

The signing session is the seed's ceremony: at the yearly meeting the issuing secretary signs
each letter in turn and hands the device to each branch secretary, who signs on the same
device. The session runs under the login of the issuer's staff; a signature by anyone else
than the logged-in user is confirmed with *that person's own password* (and second factor),
so every signature is still personal.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from juli.orgs.access import SignedInRequest, one_or_404
from juli.orgs.models import User

from . import access, actions, forms, integrity, queries
from .models import Letter, Signature, Status

GET_POST = require_http_methods(["GET", "POST"])


def _sign_from_form(actor: User, letter: Letter, form: forms.SignForm) -> Signature:
    data = form.cleaned_data
    return actions.sign_letter(
        actor,
        letter,
        data["side"],
        method=data["method"],
        image=data["image"],
        password=data["password"],
        otp=data["otp"],
        client_uuid=data["client_uuid"],
    )


@login_required
@GET_POST
def letter_sign(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    letter = access.access_letter(user, pk)
    sides = access.sides_for(user, letter)
    if not sides:
        raise PermissionDenied
    signed = queries.valid_signatures(letter)
    open_sides = [s for s in sides if s not in signed]
    form = forms.SignForm(request.POST or None, initial={"side": (open_sides or sides)[0]})
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["side"] not in sides:
            raise PermissionDenied
        try:
            _sign_from_form(user, letter, form)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Signed. The time and your post are recorded."))
            return redirect("letter-detail", letter.pk)
    from django_otp.plugins.otp_totp.models import TOTPDevice

    context = {
        "nav": "letters",
        "letter": letter,
        "form": form,
        "open_sides": open_sides,
        "side_labels": dict(Signature.Side.choices),
        "signed": signed,
        "items": queries.sections(queries.items_with_evidence(letter)),
        "has_totp": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
    }
    return render(request, "letters/sign.html", context)


# --- The signing session ---------------------------------------------------------------------


def _next_step(letters: list[Letter]) -> tuple[Letter, str] | None:
    for letter in letters:
        if letter.status not in (Status.ISSUED, Status.PARTLY_SIGNED):
            continue
        signed = {s.side for s in letter.signatures.all() if s.voided_at is None}
        for side in (Signature.Side.ISSUER, Signature.Side.RECEIVER):
            if side not in signed:
                return letter, side
    return None


def _session_letters(user: Any, template: Any) -> list[Letter]:
    return list(
        access.visible_letters(user)
        .filter(template=template)
        .exclude(status=Status.DRAFT)
        .select_related(
            "issuer_org", "receiver_org", "issuer_post__person", "receiver_post__person"
        )
        .prefetch_related("signatures")
        .order_by("receiver_path")
    )


def _signer_for(letter: Letter, side: str) -> tuple[Any, User | None]:
    post = access.signing_post(letter, side)
    if post is None:
        return None, None
    account = User.objects.filter(person_id=post.person_id, is_active=True).first()
    return post, account


@login_required
@GET_POST
def session(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    template = access.access_template(user, pk)
    if not access.can_edit_template(user, template):
        raise PermissionDenied
    letters = _session_letters(user, template)
    step = _next_step(letters)
    form = forms.SignForm(request.POST or None)
    if request.method == "POST":
        letter = one_or_404(
            access.visible_letters(user).filter(template=template), request.POST.get("letter")
        )
        if form.is_valid():
            side = form.cleaned_data["side"]
            _post, account = _signer_for(letter, side)
            try:
                if account is None:
                    raise ValidationError(
                        _("The holder of this post has no account to sign with."),
                        code="no_account",
                    )
                if account.pk != user.pk and not form.cleaned_data["password"]:
                    raise ValidationError(
                        _("Hand the device to the signer: their password confirms it is them."),
                        code="password_required",
                    )
                _sign_from_form(account, letter, form)
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            except (PermissionDenied, Http404):
                form.add_error(None, _("Only the holder of the bound post signs for this party."))
            else:
                messages.success(
                    request,
                    _("%(name)s signed the letter with %(org)s.")
                    % {
                        "name": account.person.name if account.person else account.username,
                        "org": letter.receiver_org.name,
                    },
                )
                return redirect("letter-session", template.pk)
    context: dict[str, Any] = {
        "nav": "letters",
        "template": template,
        "letters": letters,
        "form": form,
        "signed_count": sum(1 for letter in letters if letter.status == Status.SIGNED),
    }
    if step is not None:
        letter, side = step
        post, account = _signer_for(letter, side)
        form.fields["side"].initial = side
        context.update(
            {
                "letter": letter,
                "side": side,
                "side_label": Signature.Side(side).label,
                "signer_post": post,
                "needs_password": account is None or account.pk != user.pk,
                "no_account": account is None,
                "items": letter.items.order_by("order", "id"),
                "total": letter.total_points,
            }
        )
    return render(request, "letters/session.html", context)


# --- Images and PDF -------------------------------------------------------------------------


@login_required
@require_GET
def signature_image(request: HttpRequest, pk: int) -> FileResponse:
    sig: Signature = one_or_404(
        Signature.objects.filter(letter__in=access.visible_letters(request.user)), pk
    )
    if not sig.image:
        raise Http404
    response = FileResponse(sig.image.open("rb"), content_type="image/png")
    response["X-Content-Type-Options"] = "nosniff"
    return response


def letter_pdf_bytes(letter: Letter, request: HttpRequest | None = None) -> bytes:
    from juli.core.pdf import media_uri, render_pdf

    signatures = queries.valid_signatures(letter)
    code = integrity.verification_code(letter)
    path = reverse("letter-verify") + (f"?code={code}" if code else "")
    url = request.build_absolute_uri(path) if request is not None else path
    context = {
        "letter": letter,
        "sections": queries.sections(queries.items_with_evidence(letter)),
        "total": letter.total_points,
        "issuer_sig": signatures.get(Signature.Side.ISSUER),
        "receiver_sig": signatures.get(Signature.Side.RECEIVER),
        "issuer_img": media_uri(signatures[Signature.Side.ISSUER].image)
        if Signature.Side.ISSUER in signatures and signatures[Signature.Side.ISSUER].image
        else "",
        "receiver_img": media_uri(signatures[Signature.Side.RECEIVER].image)
        if Signature.Side.RECEIVER in signatures and signatures[Signature.Side.RECEIVER].image
        else "",
        "code": code,
        "verify_url": url,
        "grade_label": actions.GRADE_LABELS.get(letter.grade, ""),
    }
    return render_pdf(
        "letters/pdf_letter.html",
        context,
        issuer=letter.issuer_org.name,
        title=letter.title,
    )


@login_required
@require_GET
def letter_pdf(request: SignedInRequest, pk: int) -> HttpResponse:
    from juli.core.pdf import PDF_TYPE

    letter = access.access_letter(request.user, pk)
    pdf = letter_pdf_bytes(letter, request)
    actions.record_print(request.user, letter, pdf)
    response = HttpResponse(pdf, content_type=PDF_TYPE)
    response["Content-Disposition"] = f'attachment; filename="letter-{letter.pk}.pdf"'
    return response
