"""Pages: the notes list (office), one note, the phone form (offline outbox) and signing."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from juli.core import outbox
from juli.core.verification import verification_code
from juli.orgs.access import SignedInRequest, visible_areas

from . import actions
from .access import access_note, can_sign_note, visible_notes
from .models import Note


@login_required
def note_list(request: SignedInRequest) -> HttpResponse:
    notes = visible_notes(request.user)[:200]
    return render(request, "sampleapp/list.html", {"nav": "sample_notes", "notes": notes})


@login_required
def note_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    note = access_note(request.user, pk)
    context = {
        "nav": "sample_notes",
        "note": note,
        "code": verification_code(note),
        "can_sign": note.status == Note.Status.DRAFT and can_sign_note(request.user, note),
    }
    return render(request, "sampleapp/detail.html", context)


@login_required
def note_new(request: SignedInRequest) -> HttpResponse:
    """The phone form: sent through the offline outbox (`outbox.py`), never posted here."""
    areas = list(visible_areas(request.user).order_by("path")[:500])
    if not areas:
        raise Http404
    return render(request, "sampleapp/new.html", {"areas": areas, **outbox.page_context()})


@login_required
@require_POST
def note_sign(request: SignedInRequest, pk: int) -> HttpResponse:
    note = access_note(request.user, pk, write=True)
    actions.sign_note(request.user, note)
    return redirect("sample-note-detail", pk=note.pk)
