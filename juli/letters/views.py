"""Pages of the letters app: templates, letters, items, evidence and the assessment.

Signing, the signing session, the PDF and the public verification page are in `views_sign`.
Every page checks access through `access` (404 outside scope, 403 for a visible object the
user may not change) and writes through one function of `actions`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from juli.core import records
from juli.orgs.access import SignedInRequest, one_or_404
from juli.orgs.forms import apply_errors

from . import access, actions, forms, queries
from . import records as letter_records
from .models import COLLECTING, EDITABLE, Evidence, LetterItem, Status, TemplateItem

GET_POST = require_http_methods(["GET", "POST"])


def _refusal(request: HttpRequest, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


# --- Lists ------------------------------------------------------------------------------------


@login_required
@require_GET
def letter_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not access.reads_letters(user):  # the menu's rule too: no entry that answers 404
        raise Http404
    years = sorted(set(access.visible_letters(user).values_list("year", flat=True)), reverse=True)
    try:
        year = int(request.GET.get("year") or (years[0] if years else timezone.localdate().year))
    except ValueError:
        year = timezone.localdate().year
    letters = queries.with_progress(access.visible_letters(user).filter(year=year)).order_by(
        "issuer_path", "receiver_path"
    )
    rows = [
        {
            "letter": letter,
            "progress": queries.percent(letter.evidenced_count, letter.item_count),  # type: ignore[attr-defined]
        }
        for letter in letters
    ]
    context = {
        "nav": "letters",
        "rows": rows,
        "year": year,
        "years": years,
        "can_edit": access.editable_orgs(user).exists(),
    }
    return render(request, "letters/letter_list.html", context)


# --- Templates --------------------------------------------------------------------------------


@login_required
@GET_POST
def template_list(request: SignedInRequest) -> HttpResponse:
    user = request.user
    orgs = access.editable_orgs(user)
    templates = access.visible_templates(user).select_related("org")
    if not orgs.exists() and not templates.exists():
        raise Http404
    form = forms.TemplateForm(request.POST or None, orgs=orgs)
    if request.method == "POST":
        if not orgs.exists():
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                template = actions.create_template(
                    user,
                    data["org"],
                    year=data["year"],
                    level=data["level"],
                    title=data["title"],
                    preamble=data["preamble"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect("letter-template", template.pk)
    editable = {t.pk for t in templates if access.can_edit_template(user, t)}
    context = {
        "nav": "letters",
        "templates": templates,
        "editable": editable,
        "form": form if orgs.exists() else None,
    }
    return render(request, "letters/template_list.html", context)


@login_required
@GET_POST
def template_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    user = request.user
    template = access.access_template(user, pk)
    can_edit = access.can_edit_template(user, template)
    head = forms.TemplateHeadForm(instance=template)
    item_form = forms.ItemForm(initial={"order": template.items.count() + 1})
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        what = request.POST.get("what")
        try:
            if what == "head":
                head = forms.TemplateHeadForm(request.POST, instance=template)
                if head.is_valid():
                    actions.update_template(user, template, **head.cleaned_data)
                    return redirect("letter-template", template.pk)
            elif what == "item":
                item_form = forms.ItemForm(request.POST)
                if item_form.is_valid():
                    actions.add_template_item(user, template, **item_form.cleaned_data)
                    return redirect("letter-template", template.pk)
            elif what == "copy":
                copy = forms.CopyForm(request.POST)
                if copy.is_valid():
                    new = actions.copy_template(user, template, year=copy.cleaned_data["year"])
                    messages.success(request, _("Copied. Edit the new year's items."))
                    return redirect("letter-template", new.pk)
                messages.error(request, _("Give a year."))
            elif what == "prepare":
                prepare = forms.PrepareForm(request.POST, choices=_receiver_choices(template))
                if prepare.is_valid():
                    made = actions.prepare_letters(
                        user, template, prepare.cleaned_data["receivers"]
                    )
                    messages.success(request, _("%(n)s draft letters ready.") % {"n": len(made)})
                    return redirect("letter-template", template.pk)
                messages.error(request, _("Choose at least one organisation."))
            elif what == "issue":
                count = actions.issue_letters(user, template.letters.order_by("receiver_path"))
                messages.success(request, _("%(n)s letters issued.") % {"n": count})
                return redirect("letter-template", template.pk)
            else:
                raise Http404
        except ValidationError as error:
            if what == "item":
                apply_errors(item_form, error)
            else:
                _refusal(request, error)
    letters = queries.with_progress(template.letters.all()).order_by("receiver_path")
    have = {letter.receiver_org_id for letter in letters}
    context = {
        "nav": "letters",
        "template": template,
        "items": template.items.all(),
        "total": template.total_points,
        "can_edit": can_edit,
        "head": head,
        "item_form": item_form,
        "letters": letters,
        "receivers": [o for o in _receiver_choices(template) if o.pk not in have],
        "next_year": template.year + 1,
        "has_drafts": any(letter.status == Status.DRAFT for letter in letters),
        "can_session": any(
            letter.status in (Status.ISSUED, Status.PARTLY_SIGNED) for letter in letters
        ),
    }
    return render(request, "letters/template_detail.html", context)


def _receiver_choices(template: Any) -> QuerySet[Any]:
    from juli.orgs.models import PartyOrg

    return PartyOrg.objects.filter(pk__in=[o.pk for o in actions.receivers_for(template)]).order_by(
        "path"
    )


@login_required
@GET_POST
def template_item(request: SignedInRequest, pk: int) -> HttpResponse:
    user = request.user
    item = one_or_404(
        TemplateItem.objects.filter(template__in=access.visible_templates(user)).select_related(
            "template__org"
        ),
        pk,
    )
    if not access.can_edit_template(user, item.template):
        raise PermissionDenied
    form = forms.ItemForm(request.POST or None, instance=TemplateItem.objects.get(pk=item.pk))
    if request.method == "POST":
        try:
            if request.POST.get("what") == "delete":
                actions.delete_template_item(user, item)
                return redirect("letter-template", item.template_id)
            if form.is_valid():
                actions.update_template_item(user, item, **form.cleaned_data)
                return redirect("letter-template", item.template_id)
        except ValidationError as error:
            apply_errors(form, error)
    context = {
        "nav": "letters",
        "form": form,
        "item": item,
        "back_url": reverse("letter-template", args=[item.template_id]),
        "back_label": str(item.template),
    }
    return render(request, "letters/item_form.html", context)


# --- One letter -------------------------------------------------------------------------------


@login_required
@GET_POST
def letter_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    user = request.user
    letter = access.access_letter(user, pk)
    is_issuer = access.is_issuer_staff(user, letter)
    head = forms.LetterHeadForm(initial={"title": letter.title, "preamble": letter.preamble})
    item_form = forms.ItemForm(initial={"order": letter.items.count() + 1})
    if request.method == "POST":
        if not is_issuer:
            raise PermissionDenied
        what = request.POST.get("what")
        try:
            if what == "head":
                head = forms.LetterHeadForm(request.POST)
                if head.is_valid():
                    actions.update_letter(user, letter, **head.cleaned_data)
                    return redirect("letter-detail", letter.pk)
            elif what == "item":
                item_form = forms.ItemForm(request.POST)
                if item_form.is_valid():
                    actions.add_item(user, letter, **item_form.cleaned_data)
                    return redirect("letter-detail", letter.pk)
            elif what == "issue":
                actions.issue_letter(user, letter)
                messages.success(request, _("The letter is issued. Both secretaries can sign."))
                return redirect("letter-detail", letter.pk)
            else:
                raise Http404
        except ValidationError as error:
            if what == "item":
                apply_errors(item_form, error)
            else:
                _refusal(request, error)
    views = queries.items_with_evidence(letter)
    done = sum(1 for v in views if v.done)
    signatures = queries.valid_signatures(letter)
    from . import integrity

    context = {
        "nav": "letters",
        "letter": letter,
        "sections": queries.sections(views),
        "done": done,
        "count": len(views),
        "progress": queries.percent(done, len(views)),
        "total": sum((v.item.points for v in views), Decimal("0")),
        "signatures": signatures,
        "voided": letter.signatures.filter(voided_at__isnull=False).select_related("person"),
        "events": letter.events.select_related("actor__person"),
        "is_issuer": is_issuer,
        "is_receiver": access.is_receiver_staff(user, letter),
        "editable": is_issuer and letter.status in EDITABLE,
        "sign_open": letter.status in (Status.ISSUED, Status.PARTLY_SIGNED)
        and any(side not in signatures for side in access.sides_for(user, letter)),
        "assessment_open": letter.status
        in (Status.SIGNED, Status.SELF_ASSESSED, Status.REVIEWED, Status.PUBLISHED),
        "head": head,
        "item_form": item_form,
        "code": integrity.verification_code(letter),
        "grade_label": actions.GRADE_LABELS.get(letter.grade, ""),
    }
    return render(request, "letters/letter_detail.html", context)


@login_required
@GET_POST
def letter_item(request: SignedInRequest, pk: int) -> HttpResponse:
    user = request.user
    item = one_or_404(
        LetterItem.objects.filter(letter__in=access.visible_letters(user)).select_related(
            "letter__issuer_org", "letter__receiver_org"
        ),
        pk,
    )
    if not access.is_issuer_staff(user, item.letter):
        raise PermissionDenied
    form = forms.ItemForm(request.POST or None, instance=LetterItem.objects.get(pk=item.pk))
    if request.method == "POST":
        try:
            if request.POST.get("what") == "delete":
                actions.delete_item(user, item)
                return redirect("letter-detail", item.letter_id)
            if form.is_valid():
                actions.update_item(user, item, **form.cleaned_data)
                return redirect("letter-detail", item.letter_id)
        except ValidationError as error:
            apply_errors(form, error)
    signed = item.letter.signatures.filter(voided_at__isnull=True).exists()
    context = {
        "nav": "letters",
        "form": form,
        "item": item,
        "back_url": reverse("letter-detail", args=[item.letter_id]),
        "back_label": str(item.letter),
        "signed": signed,
    }
    return render(request, "letters/item_form.html", context)


# --- Evidence ---------------------------------------------------------------------------------


def _record_choices(user: Any, letter: Any) -> list[tuple[str, Any]]:
    """The records `user` may still link to the letter, grouped by kind (200 a kind at most)."""
    groups: list[tuple[str, Any]] = []
    taken = records.cited_by(letter.evidence.all())
    for kind, candidates in records.candidates(user, letter_records.purpose_of(letter)):
        options = [
            (f"{kind.key}:{obj.pk}", kind.describe(obj))
            for obj in candidates[:200]
            if (kind.key, obj.pk) not in taken
        ]
        if options:
            groups.append((str(kind.label), options))
    return groups


def _record_from(value: str) -> Any:
    key, _sep, pk = value.rpartition(":")
    if key not in records.kinds() or not pk.isdigit():
        raise Http404
    from django.apps import apps

    model = apps.get_model(key)
    obj = model._default_manager.filter(pk=int(pk)).first()
    if obj is None:
        raise Http404
    return obj


@login_required
@GET_POST
def evidence(request: SignedInRequest, pk: int) -> HttpResponse:
    user = request.user
    letter = access.access_letter(user, pk)
    can_add = letter.status in COLLECTING and (
        access.is_receiver_staff(user, letter) or access.is_issuer_staff(user, letter)
    )
    items = list(letter.items.order_by("order", "id"))
    form = forms.EvidenceForm(
        request.POST or None,
        request.FILES or None,
        items=items,
        records=_record_choices(user, letter) if can_add else (),
    )
    if request.method == "POST":
        if not (access.is_receiver_staff(user, letter) or access.is_issuer_staff(user, letter)):
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.add_evidence(
                    user,
                    letter,
                    title=data["title"],
                    items=[int(i) for i in data["items"]],
                    note=data["note"],
                    upload=data["file"],
                    record_obj=_record_from(data["record"]) if data["record"] else None,
                    happened_on=data["happened_on"],
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Evidence added."))
                return redirect("letter-evidence", letter.pk)
    context = {
        "nav": "letters",
        "letter": letter,
        "rows": queries.evidence_rows(letter),
        "form": form,
        "can_add": can_add,
    }
    return render(request, "letters/evidence.html", context)


def _access_evidence(user: Any, pk: int) -> Evidence:
    ev: Evidence = one_or_404(
        Evidence.objects.filter(letter__in=access.visible_letters(user)).select_related(
            "letter__issuer_org", "letter__receiver_org"
        ),
        pk,
    )
    return ev


@login_required
@require_POST
def evidence_remove(request: SignedInRequest, pk: int) -> HttpResponse:
    ev = _access_evidence(request.user, pk)
    try:
        actions.remove_evidence(request.user, ev)
    except ValidationError as error:
        _refusal(request, error)
    else:
        messages.success(request, _("Evidence removed."))
    return redirect("letter-evidence", ev.letter_id)


@login_required
@require_GET
def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    ev = _access_evidence(request.user, pk)
    if not ev.file:
        raise Http404
    response = FileResponse(
        ev.file.open("rb"), content_type=ev.file_type or "application/octet-stream"
    )
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{_quote(ev.file_name)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


# --- Assessment -------------------------------------------------------------------------------


def _scores(request: HttpRequest, items: list[Any], prefix: str) -> dict[int, tuple[Any, str]]:
    return {
        i.pk: (
            request.POST.get(f"{prefix}score-{i.pk}", "").strip(),
            request.POST.get(f"{prefix}remark-{i.pk}", "").strip(),
        )
        for i in items
    }


@login_required
@GET_POST
def assessment(request: SignedInRequest, pk: int) -> HttpResponse:
    user = request.user
    letter = access.access_letter(user, pk)
    is_issuer = access.is_issuer_staff(user, letter)
    is_receiver = access.is_receiver_staff(user, letter)
    mode = ""
    if letter.status == Status.SIGNED and is_receiver:
        mode = "self"
    elif letter.status == Status.SELF_ASSESSED and is_issuer:
        mode = "review"
    views = queries.items_with_evidence(letter)
    posted: dict[int, tuple[Any, str]] = {}
    if request.method == "POST":
        what = request.POST.get("what", "")
        items = [v.item for v in views]
        try:
            if what in {"self", "self_submit"} and mode == "self":
                posted = _scores(request, items, "")
                actions.save_self_assessment(
                    user,
                    letter,
                    posted,
                    remark=request.POST.get("remark", ""),
                    submit=what == "self_submit",
                )
            elif what in {"review", "review_finish"} and mode == "review":
                posted = _scores(request, items, "")
                actions.save_review(
                    user,
                    letter,
                    posted,
                    remark=request.POST.get("remark", ""),
                    finish=what == "review_finish",
                )
            elif what == "return" and is_issuer:
                actions.return_self_assessment(user, letter, note=request.POST.get("note", ""))
            elif what == "publish" and is_issuer:
                actions.publish(user, letter)
            elif is_issuer or is_receiver:
                raise ValidationError(_("This step is not open now."), code="illegal_state")
            else:
                raise PermissionDenied
        except ValidationError as error:
            _refusal(request, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("letter-assessment", letter.pk)
        views = queries.items_with_evidence(letter)
    rows = []
    for v in views:
        item = v.item
        if mode == "self":
            score = item.self_score if item.self_score is not None else v.suggested_score
            remark = item.self_remark or v.suggested_remark
        elif mode == "review":
            score = item.review_score if item.review_score is not None else item.self_score
            remark = item.review_reason
        else:
            score, remark = item.review_score, item.review_reason
        if item.pk in posted:
            score, remark = posted[item.pk]
        rows.append({"view": v, "item": item, "score": score, "remark": remark})
    full = sum((v.item.points for v in views), Decimal("0"))
    context = {
        "nav": "letters",
        "letter": letter,
        "rows": rows,
        "mode": mode,
        "full": full,
        "is_issuer": is_issuer,
        "grade_label": actions.GRADE_LABELS.get(letter.grade, ""),
        "bands": actions.GRADE_BANDS,
    }
    return render(request, "letters/assessment.html", context)


# --- Comparison -------------------------------------------------------------------------------


@login_required
@require_GET
def compare(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    template = access.access_template(user, pk)
    letters = access.visible_letters(user).filter(template=template)
    rows = queries.comparison(letters)
    fmt = request.GET.get("format", "")
    title = _("Assessment comparison: %(title)s") % {"title": template.title}
    if fmt == "xlsx":
        from juli.core.xlsx import XLSX_TYPE, Book

        book = Book()
        book.sheet(
            "对比",
            [
                ("receiver", "党组织"),
                ("status", "状态"),
                ("items", "条目数"),
                ("evidenced", "已有佐证条目"),
                ("progress", "进度%"),
                ("full", "满分"),
                ("self_total", "自评总分"),
                ("final_total", "考核得分"),
                ("grade", "等次"),
                ("signed_at", "签订时间"),
            ],
            rows,
            caption=f"{template.org.name} {title}",
        )
        response = HttpResponse(book.bytes(), content_type=XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="letters-{template.pk}.xlsx"'
        return response
    if fmt == "pdf":
        from juli.core.pdf import PDF_TYPE, render_pdf

        pdf = render_pdf(
            "letters/pdf_compare.html",
            {"rows": rows, "template": template},
            issuer=template.org.name,
            title=title,
        )
        response = HttpResponse(pdf, content_type=PDF_TYPE)
        response["Content-Disposition"] = f'attachment; filename="letters-{template.pk}.pdf"'
        return response
    context = {"nav": "letters", "template": template, "rows": rows, "title": title}
    return render(request, "letters/compare.html", context)
