"""The public check page of signed documents: a code or an uploaded PDF, for every kind.

`/verify/` takes a code of any registered kind; an app may mount the same view under its
own path with `kind="<key>"` (letters: `/letters/verify/`, which printed codes point at):
the page then speaks of that kind and answers only its codes.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from . import verification
from .signing import DocumentKind, get_kind


class VerifyForm(forms.Form):
    code = forms.CharField(label=_("Verification code"), max_length=40, required=False)
    pdf = forms.FileField(label=_("Or upload the PDF"), required=False)

    def __init__(self, *args: Any, texts: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.texts = texts or verification.texts_for(None)

    def clean_pdf(self) -> Any:
        """Say what is wrong with a file that cannot be checked, instead of "unknown code"."""
        upload = self.cleaned_data.get("pdf")
        if upload is None:
            return upload
        limit = verification.MAX_PDF_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is larger than the limit of %(limit)s.")
                % {"limit": filesizeformat(limit)},
                code="too_large",
            )
        upload.seek(0)
        head = upload.read(len(verification.PDF_MAGIC))
        upload.seek(0)
        if head != verification.PDF_MAGIC:
            raise forms.ValidationError(str(self.texts["not_pdf"]), code="not_pdf")
        return upload


def _check(form: VerifyForm, only: str | None) -> dict[str, Any] | None:
    upload = form.cleaned_data.get("pdf")
    if upload is not None:
        data = upload.read(verification.MAX_PDF_BYTES + 1)
        checked = verification.verify_pdf(data, only=only)
        if not checked.verdict.code:  # a PDF, but no code printed in it: not ours
            form.add_error("pdf", str(form.texts["no_code"]))
            return None
        return {"verdict": checked.verdict, "pdf": True, "issued_copy": checked.issued_copy}
    if form.cleaned_data.get("code"):
        return {"verdict": verification.verify(form.cleaned_data["code"], only=only), "pdf": False}
    return None


@require_http_methods(["GET", "POST"])
def verify_document(request: HttpRequest, kind: str | None = None) -> HttpResponse:
    """Public: anyone holding a printed document checks that it is genuine and unchanged."""
    try:
        page_kind: DocumentKind | None = get_kind(kind) if kind else None
    except LookupError:
        raise Http404 from None
    texts = verification.texts_for(page_kind)
    form = VerifyForm(request.POST or request.GET or None, request.FILES or None, texts=texts)
    result = _check(form, kind) if form.is_bound and form.is_valid() else None
    if result is not None:
        verdict = result["verdict"]
        shown = verdict.kind or page_kind
        result["texts"] = verification.texts_for(shown)
        result["kind"] = shown
        if verdict.state == "valid" and shown is not None:
            result["facts"] = shown.verify_context(verdict.document)
            result["template"] = shown.verify_template
    context = {"form": form, "result": result, "texts": texts, "nav": ""}
    return render(request, "core/verify.html", context)
