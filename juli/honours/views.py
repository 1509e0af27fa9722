"""Pages of honours: kinds and their calls, one call (nominate, review, confer, publish),
the published list, one honour with its certificate. Thin: access, form, one action."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from juli.core.verification import verification_code
from juli.orgs.access import SignedInRequest, prefix_q
from juli.orgs.models import PartyOrg, Person
from juli.rating.access import visible_rounds
from juli.rating.models import RatingRound

from . import access, actions, forms, queries
from .documents import certificate_pdf
from .models import CALL_TRANSITIONS, Honour, HonourCall, HonourKind, Nomination, Target


@login_required
@require_GET
def kind_list(request: SignedInRequest) -> HttpResponse:
    kinds = list(access.visible_kinds(request.user).prefetch_related("calls"))
    for kind in kinds:
        kind.can_run = access.can_run(request.user, kind.org_path)  # type: ignore[attr-defined]
    context = {
        "nav": "honours",
        "kinds": kinds,
        "can_create": access.conferring_orgs(request.user).exists(),
    }
    return render(request, "honours/kinds.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def kind_new(request: SignedInRequest) -> HttpResponse:
    orgs = access.conferring_orgs(request.user).order_by("path")
    if not orgs.exists():
        raise PermissionDenied
    form = forms.KindForm(request.POST or None, orgs=orgs)
    if form.is_valid():
        try:
            actions.create_kind(request.user, **form.cleaned_data)
        except ValidationError as exc:
            forms.attach(form, exc)
        else:
            return redirect("honours-kinds")
    return render(
        request, "honours/form.html", {"nav": "honours", "form": form, "title": _("New honour")}
    )


@login_required
@require_http_methods(["GET", "POST"])
def call_new(request: SignedInRequest, pk: int) -> HttpResponse:
    kind = access.access_kind(request.user, pk, write=True)
    form = forms.CallForm(request.POST or None, kind=kind)
    if form.is_valid():
        try:
            call = actions.open_call(request.user, kind, **form.cleaned_data)
        except ValidationError as exc:
            forms.attach(form, exc)
        else:
            return redirect("honours-call", pk=call.pk)
    title = _("Open a call: %(honour)s") % {"honour": kind.name}
    return render(request, "honours/form.html", {"nav": "honours", "form": form, "title": title})


def _nominees(kind: HonourKind, nominators: QuerySet[PartyOrg]) -> QuerySet[Any]:
    paths = list(nominators.values_list("path", flat=True))
    if kind.target == Target.ORG:
        return (
            PartyOrg.objects.filter(prefix_q("path", paths), status=PartyOrg.Status.ACTIVE)
            .exclude(kind=PartyOrg.Kind.GROUP)
            .order_by("path")
        )
    return (
        Person.objects.filter(prefix_q("org_path", paths))
        .exclude(org_path="")
        .order_by("org_path", "name")
    )


def _call_context(request: SignedInRequest, call: HonourCall, **forms_: Any) -> dict[str, Any]:
    user = request.user
    can_run = access.can_run(user, call.org_path)
    nominators = access.nominating_orgs(user, call.kind).order_by("path")
    open_ = (
        call.status == HonourCall.Status.NOMINATING and timezone.localdate() <= call.nominate_until
    )
    may_nominate = open_ and nominators.exists()
    nominations = list(
        access.visible_nominations(user)
        .filter(call=call)
        .select_related("nominee_org", "nominee_person", "assessment")
        .order_by("status", "nominee_path", "pk")
    )
    for n in nominations:
        n.can_withdraw = (  # type: ignore[attr-defined]
            n.status == Nomination.Status.NOMINATED and open_ and access.can_withdraw(user, n)
        )
    context: dict[str, Any] = {
        "nav": "honours",
        "call": call,
        "kind": call.kind,
        "figures": queries.figures(call),
        "nominations": nominations,
        "can_run": can_run,
        "may_review": can_run
        and call.status in (HonourCall.Status.NOMINATING, HonourCall.Status.REVIEWING),
        "moves": [a for a in CALL_TRANSITIONS if call.status in CALL_TRANSITIONS[a].sources]
        if can_run
        else [],
        "may_nominate": may_nominate,
        "honours": list(call.honours.order_by("number")) if can_run else [],
    }
    if may_nominate:
        context["nominator_taken"] = queries.nominator_taken(
            call, list(nominators.values_list("pk", flat=True))
        )
        context["nominate_form"] = forms_.get("nominate_form") or forms.NominateForm(
            kind=call.kind, nominators=nominators, nominees=_nominees(call.kind, nominators)
        )
        if call.kind.target == Target.ORG:
            context["round_form"] = forms_.get("round_form") or forms.RoundNominateForm(
                nominators=nominators, rounds=_rounds(request)
            )
    return context


def _rounds(request: SignedInRequest) -> QuerySet[RatingRound]:
    return visible_rounds(request.user).filter(status=RatingRound.Status.PUBLISHED)


@login_required
@require_GET
def call_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    call = access.access_call(request.user, pk)
    return render(request, "honours/call.html", _call_context(request, call))


@login_required
@require_POST
def nominate(request: SignedInRequest, pk: int) -> HttpResponse:
    call = access.access_call(request.user, pk)
    nominators = access.nominating_orgs(request.user, call.kind)
    if not nominators.exists():
        raise PermissionDenied
    form = forms.NominateForm(
        request.POST,
        kind=call.kind,
        nominators=nominators,
        nominees=_nominees(call.kind, nominators),
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.nominate(
                request.user,
                call,
                nominator=data["nominator"],
                nominee_org=data.get("nominee_org"),
                nominee_person=data.get("nominee_person"),
                reason=data["reason"],
            )
        except ValidationError as exc:
            forms.attach(form, exc)
        else:
            messages.success(request, _("Nomination sent."))
            return redirect("honours-call", pk=call.pk)
    context = _call_context(request, call, nominate_form=form)
    return render(request, "honours/call.html", context, status=400)


@login_required
@require_POST
def nominate_round(request: SignedInRequest, pk: int) -> HttpResponse:
    call = access.access_call(request.user, pk)
    nominators = access.nominating_orgs(request.user, call.kind)
    if not nominators.exists():
        raise PermissionDenied
    form = forms.RoundNominateForm(request.POST, nominators=nominators, rounds=_rounds(request))
    if form.is_valid():
        data = form.cleaned_data
        try:
            made = actions.nominate_from_round(
                request.user,
                call,
                nominator=data["nominator"],
                round_=data["round"],
                min_stars=data.get("min_stars"),
                top=data.get("top"),
                reason=data["reason"],
            )
        except ValidationError as exc:
            forms.attach(form, exc)
        else:
            messages.success(request, _("%(count)s nominations sent.") % {"count": len(made)})
            return redirect("honours-call", pk=call.pk)
    context = _call_context(request, call, round_form=form)
    return render(request, "honours/call.html", context, status=400)


@login_required
@require_POST
def call_step(request: SignedInRequest, pk: int, action: str) -> HttpResponse:
    call = access.access_call(request.user, pk, write=True)
    steps = {
        "close": actions.close_nominations,
        "confer": actions.confer,
        "publish": actions.publish,
    }
    if action not in steps:
        raise Http404
    try:
        steps[action](request.user, call)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("honours-call", pk=call.pk)


@login_required
@require_POST
def review(request: SignedInRequest, pk: int) -> HttpResponse:
    nomination = access.access_nomination(request.user, pk)
    if not access.can_run(request.user, nomination.call.org_path):
        raise PermissionDenied
    form = forms.ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose accept or reject."))
    else:
        try:
            actions.review(
                request.user,
                nomination,
                accept=form.cleaned_data["decision"] == "accept",
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return redirect("honours-call", pk=nomination.call_id)


@login_required
@require_POST
def withdraw(request: SignedInRequest, pk: int) -> HttpResponse:
    nomination = access.access_nomination(request.user, pk)
    if not access.can_withdraw(request.user, nomination):
        raise PermissionDenied
    try:
        actions.withdraw(request.user, nomination)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("honours-call", pk=nomination.call_id)


@login_required
@require_GET
def honour_list(request: SignedInRequest) -> HttpResponse:
    """Published honours, by call (year and honour); the latest call by default."""
    calls = list(
        access.visible_calls(request.user)
        .filter(status=HonourCall.Status.PUBLISHED)
        .order_by("-year", "kind__name")
    )
    chosen = None
    wanted = request.GET.get("call", "")
    if wanted.isdigit():
        chosen = next((c for c in calls if c.pk == int(wanted)), None)
        if chosen is None:
            raise Http404
    elif calls:
        chosen = calls[0]
    honours: list[Honour] = []
    if chosen is not None:
        honours = list(
            access.visible_honours(request.user)
            .filter(call=chosen)
            .exclude(status=Honour.Status.CONFERRED)
            .order_by("number")
        )
    context = {"nav": "honours", "calls": calls, "chosen": chosen, "honours": honours}
    return render(request, "honours/list.html", context)


@login_required
@require_GET
def honour_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    honour = access.access_honour(request.user, pk)
    context = {
        "nav": "honours",
        "honour": honour,
        "code": verification_code(honour),
        "can_revoke": honour.status != Honour.Status.REVOKED
        and access.can_run(request.user, honour.call.org_path),
        "revoke_form": forms.RevokeForm(),
        "events": honour.events.select_related("actor").order_by("at", "pk"),
    }
    return render(request, "honours/honour.html", context)


@login_required
@require_GET
def certificate(request: SignedInRequest, pk: int) -> HttpResponse:
    honour = access.access_honour(request.user, pk)
    response = HttpResponse(certificate_pdf(honour, request), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="honour-{honour.number}.pdf"'
    return response


@login_required
@require_POST
def revoke(request: SignedInRequest, pk: int) -> HttpResponse:
    honour = access.access_honour(request.user, pk, write=True)
    form = forms.RevokeForm(request.POST)
    if form.is_valid():
        try:
            actions.revoke(request.user, honour, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("Give the reason and the decision document."))
    return redirect("honours-honour", pk=honour.pk)
