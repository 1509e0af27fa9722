"""Pages of the duty lists: my duties, the chain of responsibility of an organisation (with
its PDF and Excel), and the management of the yearly lists.

Each view checks access through `access` (404 out of scope, 403 visible but not yours to
change), validates a form, calls one action, and renders or redirects.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from juli.core.exports import start_export
from juli.core.pdf import PDF_TYPE, render_pdf
from juli.orgs import access as org_access
from juli.orgs.access import SignedInRequest
from juli.orgs.forms import apply_errors
from juli.orgs.models import PartyOrg

from . import access, actions, exports, forms, queries
from .models import DutyList, DutyPost

GET_POST = require_http_methods(["GET", "POST"])


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return queries.this_year()
    return year if 2000 <= year <= 2100 else queries.this_year()


def _run(request: HttpRequest, form: Any, action: Callable[[dict[str, Any]], Any]) -> Any:
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return action(form.cleaned_data)
    except ValidationError as error:
        apply_errors(form, error)
        return None


def _form_page(
    request: HttpRequest, title: str, form: Any, *, back_url: str, back_label: str, **extra: Any
) -> HttpResponse:
    context = {
        "nav": "duties",
        "title": title,
        "form": form,
        "back_url": back_url,
        "back_label": back_label,
        **extra,
    }
    return render(request, "orgs/form.html", context)


# --- My duties and the chain ---------------------------------------------------------------


@login_required
@require_GET
def my_duties(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    year = _year(request)
    person = user.person if user.person_id else None
    context = {
        "nav": "duties",
        "year": year,
        "held": queries.person_duties(person, year),
        "chain_roots": list(access.chain_roots(user)[:20]),
        "can_manage_lists": access.list_owner_choices(user).exists()
        or access.visible_lists(user).exists(),
    }
    return render(request, "duties/mine.html", context)


@login_required
@require_GET
def chain(request: HttpRequest, pk: int) -> HttpResponse:
    org = access.access_chain_org(request.user, pk)
    year = _year(request)
    result = queries.build_chain(org, year)
    context = {
        "nav": "duties",
        "org": org,
        "year": year,
        "chain": result,
        "parent_chain": _visible_parent(request.user, org),
        "can_manage_leaders": access.can_manage_designations(request.user, org),
        "only_vacant": request.GET.get("vacant") == "1",
    }
    return render(request, "duties/chain.html", context)


def _visible_parent(user: Any, org: Any) -> Any:
    if org.depth <= 1:
        return None
    parent = PartyOrg.objects.filter(path=org.path[: -PartyOrg.steplen]).first()
    return parent if parent is not None and access.can_see_chain(user, parent) else None


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@login_required
@require_GET
def chain_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    org = access.access_chain_org(request.user, pk)
    year = _year(request)
    # A big subtree prints to dozens of pages: `?depth=1` prints this level and the next.
    depth = request.GET.get("depth", "")
    max_depth = int(depth) if depth.isdigit() and int(depth) <= 10 else None
    if max_depth is None and queries.chain_orgs(org).count() > exports.PDF_INLINE_MAX_ORGS:
        # Dozens of pages: made by the export worker; the page polls until it is ready.
        back = reverse("duties-chain", args=[org.pk])
        params = {"org": org.pk, "year": year, "depth": None, "back": back}
        job, _created = start_export(request.user, "duties.chain.pdf", params)
        return redirect("export-status", pk=job.pk)
    result = queries.build_chain(org, year, max_depth=max_depth)
    title = _("%(year)s duty list") % {"year": year}
    content = render_pdf(
        "duties/pdf.html", {"chain": result, "org": org, "year": year}, issuer=org.name, title=title
    )
    return _download(content, PDF_TYPE, f"{org.name}-{year}-责任清单.pdf")


@login_required
@require_GET
def chain_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    org = access.access_chain_org(request.user, pk)
    year = _year(request)
    content = exports.chain_workbook(queries.build_chain(org, year))
    return _download(content, exports.XLSX_TYPE, f"{org.name}-{year}-责任清单.xlsx")


# --- Lists -------------------------------------------------------------------------------------


@login_required
@require_GET
def list_index(request: HttpRequest) -> HttpResponse:
    lists = list(access.visible_lists(request.user).order_by("-year", "owner__path")[:200])
    for duty_list in lists:
        duty_list.can_manage = access.can_manage_list(request.user, duty_list)  # type: ignore[attr-defined]
    context = {
        "nav": "duties",
        "lists": lists,
        "can_create": access.list_owner_choices(request.user).exists(),
    }
    return render(request, "duties/lists.html", context)


@login_required
@GET_POST
def list_new(request: SignedInRequest) -> HttpResponse:
    owners = access.list_owner_choices(request.user)
    if not owners.exists():
        raise Http404
    form = forms.ListForm(request.POST or None, owners=owners)
    created = _run(
        request,
        form,
        lambda d: actions.create_list(
            request.user, d["owner"], year=d["year"], title=d["title"], note=d["note"]
        ),
    )
    if created:
        messages.success(request, _("The duty list was created."))
        return redirect("duties-list", created.pk)
    return _form_page(
        request,
        _("New duty list"),
        form,
        back_url=reverse("duties-lists"),
        back_label=_("Duty lists"),
        submit=_("Create"),
    )


@login_required
@require_GET
def list_detail(request: HttpRequest, pk: int) -> HttpResponse:
    duty_list = access.access_list(request.user, pk)
    duty_list = (
        DutyList.objects.select_related("owner", "copied_from")
        .prefetch_related("posts__duties")
        .get(pk=duty_list.pk)
    )
    context = {
        "nav": "duties",
        "duty_list": duty_list,
        "levels": queries.list_posts(duty_list),
        "can_manage": access.can_manage_list(request.user, duty_list),
        "other_years": access.visible_lists(request.user)
        .filter(owner=duty_list.owner)
        .exclude(pk=duty_list.pk)
        .order_by("-year"),
    }
    return render(request, "duties/list_detail.html", context)


@login_required
@GET_POST
def list_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    duty_list = access.access_list(request.user, pk, write=True)
    form = forms.ListEditForm(
        request.POST or None, initial={"title": duty_list.title, "note": duty_list.note}
    )
    if _run(request, form, lambda d: actions.update_list(request.user, duty_list, **d)):
        messages.success(request, _("The changes were saved."))
        return redirect("duties-list", duty_list.pk)
    return _form_page(
        request,
        _("Edit %(name)s") % {"name": duty_list.title},
        form,
        back_url=reverse("duties-list", args=[duty_list.pk]),
        back_label=str(duty_list),
    )


@login_required
@GET_POST
def list_copy(request: SignedInRequest, pk: int) -> HttpResponse:
    duty_list = access.access_list(request.user, pk, write=True)
    form = forms.CopyForm(request.POST or None, initial={"year": duty_list.year + 1})
    copied = _run(
        request,
        form,
        lambda d: actions.copy_list(request.user, duty_list, year=d["year"], title=d["title"]),
    )
    if copied:
        messages.success(request, _("The list was copied to %(year)s.") % {"year": copied.year})
        return redirect("duties-list", copied.pk)
    return _form_page(
        request,
        _("Copy %(name)s to another year") % {"name": duty_list},
        form,
        back_url=reverse("duties-list", args=[duty_list.pk]),
        back_label=str(duty_list),
        submit=_("Copy"),
        intro=_(
            "Every post and duty is copied; the new year is then edited on its own. "
            "A year that already has a list is never overwritten."
        ),
    )


# --- Posts and duties ---------------------------------------------------------------------------


def _back_to_list(duty_list: DutyList, anchor: str = "") -> str:
    return reverse("duties-list", args=[duty_list.pk]) + (f"#{anchor}" if anchor else "")


@login_required
@GET_POST
def post_new(request: SignedInRequest, pk: int) -> HttpResponse:
    duty_list = access.access_list(request.user, pk, write=True)
    form = forms.PostForm(request.POST or None, initial={"level": request.GET.get("level")})
    created = _run(request, form, lambda d: actions.add_post(request.user, duty_list, **d))
    if created:
        messages.success(request, _("The post was added."))
        return redirect(_back_to_list(duty_list, f"post-{created.pk}"))
    return _form_page(
        request,
        _("Add a post"),
        form,
        back_url=_back_to_list(duty_list),
        back_label=str(duty_list),
        submit=_("Add"),
    )


@login_required
@GET_POST
def post_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    duty_post = access.access_duty_post(request.user, pk, write=True)
    form = forms.PostEditForm(
        request.POST or None,
        initial={
            "title": duty_post.title,
            "required": duty_post.required,
            "order": duty_post.order,
        },
    )
    if _run(request, form, lambda d: actions.update_post(request.user, duty_post, **d)):
        messages.success(request, _("The changes were saved."))
        return redirect(_back_to_list(duty_post.duty_list, f"post-{duty_post.pk}"))
    return _form_page(
        request,
        _("Edit %(name)s") % {"name": f"{duty_post.get_level_display()} · {duty_post.label}"},
        form,
        back_url=_back_to_list(duty_post.duty_list),
        back_label=str(duty_post.duty_list),
    )


@login_required
@require_POST
def post_remove(request: SignedInRequest, pk: int) -> HttpResponse:
    duty_post = access.access_duty_post(request.user, pk, write=True)
    duty_list = duty_post.duty_list
    actions.remove_post(request.user, duty_post)
    messages.success(request, _("The post and its duties were removed from the list."))
    return redirect(_back_to_list(duty_list))


@login_required
@GET_POST
def duty_new(request: SignedInRequest, pk: int) -> HttpResponse:
    duty_post = access.access_duty_post(request.user, pk, write=True)
    form = forms.DutyForm(request.POST or None)
    created = _run(request, form, lambda d: actions.add_duty(request.user, duty_post, **d))
    if created:
        messages.success(request, _("The duty was saved."))
        return redirect(_back_to_list(duty_post.duty_list, f"post-{duty_post.pk}"))
    return _form_page(
        request,
        _("New duty of %(post)s")
        % {"post": f"{duty_post.get_level_display()} · {duty_post.label}"},
        form,
        back_url=_back_to_list(duty_post.duty_list, f"post-{duty_post.pk}"),
        back_label=str(duty_post.duty_list),
        submit=_("Add"),
    )


@login_required
@GET_POST
def duty_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    duty = access.access_duty(request.user, pk, write=True)
    form = forms.DutyForm(
        request.POST or None,
        initial={
            "text": duty.text,
            "category": duty.category,
            "frequency": duty.frequency,
            "order": duty.order,
        },
    )

    def save(data: dict[str, Any]) -> Any:
        if data.get("order") is None:
            data["order"] = duty.order
        return actions.update_duty(request.user, duty, **data)

    if _run(request, form, save):
        messages.success(request, _("The changes were saved."))
        return redirect(_back_to_list(duty.duty_post.duty_list, f"post-{duty.duty_post_id}"))
    return _form_page(
        request,
        _("Edit a duty"),
        form,
        back_url=_back_to_list(duty.duty_post.duty_list, f"post-{duty.duty_post_id}"),
        back_label=str(duty.duty_post.duty_list),
    )


@login_required
@require_POST
def duty_remove(request: SignedInRequest, pk: int) -> HttpResponse:
    duty = access.access_duty(request.user, pk, write=True)
    duty_post: DutyPost = duty.duty_post
    actions.remove_duty(request.user, duty)
    messages.success(request, _("The duty was removed."))
    return redirect(_back_to_list(duty_post.duty_list, f"post-{duty_post.pk}"))


# --- Business leaders -----------------------------------------------------------------------


@login_required
@GET_POST
def leader_new(request: SignedInRequest, pk: int) -> HttpResponse:
    org = access.access_chain_org(request.user, pk)
    if not access.can_manage_designations(request.user, org):
        raise PermissionDenied
    people = (
        org_access.visible_people(request.user)
        .filter(is_active=True, org_path__startswith=org.path)
        .order_by("name", "pk")
    )
    form = forms.DesignationForm(request.POST or None, people=people)
    created = _run(
        request,
        form,
        lambda d: actions.designate_leader(request.user, d["person"], org, title=d["title"]),
    )
    if created:
        messages.success(request, _("The business leader was recorded."))
        return redirect("duties-chain", org.pk)
    return _form_page(
        request,
        _("Business leader (dual duty) in %(name)s") % {"name": org.name},
        form,
        back_url=reverse("duties-chain", args=[org.pk]),
        back_label=org.name,
        submit=_("Record"),
        intro=_(
            "一岗双责: a person who leads a line of business under this organisation also "
            "carries the duties of its business-leader post."
        ),
    )


@login_required
@require_POST
def leader_end(request: SignedInRequest, pk: int) -> HttpResponse:
    designation = access.access_designation(request.user, pk, write=True)
    try:
        actions.end_designation(request.user, designation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The designation was ended."))
    return redirect("duties-chain", designation.org_id)
