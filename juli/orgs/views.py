"""Pages of the organisation system: trees, detail pages, the people directory, the audit log.

Each view checks access through `access` (404 for anything out of scope, 403 when the object
is visible but the user may not change it), validates a form, calls one function of
`actions`, and renders or redirects. What a page shows is read in `queries`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from juli.core import panels as org_panels
from juli.core.widgets import option_tags

from . import access, actions, forms, queries
from .models import Area, PartyOrg, Person, Unit
from .roles import MANAGER_ROLES

GET_POST = require_http_methods(["GET", "POST"])


def _is_partial(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]


def _run(request: HttpRequest, form: Any, action: Callable[[dict[str, Any]], Any]) -> Any:
    """Validate `form` on POST and call `action` with its data. Returns the action's result,
    or None when the form (or the action's own validation) refused the input."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return action(form.action_data())
    except ValidationError as error:
        forms.apply_errors(form, error)
        return None


DETAIL_URLS = {
    PartyOrg: "org-detail",
    Area: "area-detail",
    Unit: "unit-detail",
    Person: "person-detail",
}


def _form_page(
    request: HttpRequest, title: str, form: Any, *, back: Any = None, **context: Any
) -> HttpResponse:
    """The one template of every action form; `back` is the object the form is about."""
    if back is not None:
        context["back_url"] = reverse(DETAIL_URLS[type(back)], args=[back.pk])
        context["back_label"] = back.name
    context["searchable"] = "search_q" in context
    return render(request, "orgs/form.html", {"title": title, "form": form, **context})


# --- Home -----------------------------------------------------------------------------------


@login_required
@require_GET
def my_posts(request: HttpRequest) -> HttpResponse:
    """The user's posts with what each covers (the home page before the work-bench)."""
    user = request.user
    context: dict[str, Any] = {"nav": "posts", "summaries": queries.my_posts(user)}
    if user.person_id:  # type: ignore[union-attr]
        context["membership"] = user.person.party_org  # type: ignore[union-attr]
    elif access.scope_of(user).superuser:
        context["org_roots"] = queries.org_roots(user, show_retired=False)
        context["area_roots"] = queries.area_roots(user)
    return render(request, "orgs/home.html", context)


# --- Party organisations ------------------------------------------------------------------


#: The first option of a unit search's answer, by the `blank` its select asked for.
UNIT_BLANKS = {"all": _lazy("All units"), "all_responsible": _lazy("All responsible units")}


@login_required
@require_GET
def unit_options(request: HttpRequest) -> HttpResponse:
    """The `<option>`s of active units in the user's scope whose name or code holds `q`
    (at most 50), for the search box of a unit select."""
    found = queries.find_units(request.user, request.GET.get("q", ""))
    pairs: list[tuple[Any, Any]] = [(u.pk, u.name) for u in found]
    blank = UNIT_BLANKS.get(request.GET.get("blank", ""))
    if blank is not None:
        pairs.insert(0, ("", blank))
    return HttpResponse(option_tags(pairs, selected=request.GET.get("selected", "")))


@login_required
@require_GET
def org_tree(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    show_retired = request.GET.get("retired") == "1"
    context: dict[str, Any] = {"nav": "orgs", "q": q, "show_retired": show_retired}
    if q:
        context["results"] = queries.search_orgs(request.user, q, show_retired=show_retired)
    else:
        roots = queries.org_roots(request.user, show_retired=show_retired)
        if len(roots) == 1:  # one place of work: open it straight away
            roots[0].kids = queries.org_children(request.user, roots[0], show_retired=show_retired)
        context["nodes"] = roots
    template = "orgs/_org_browser.html" if _is_partial(request) else "orgs/org_tree.html"
    return render(request, template, context)


@login_required
@require_GET
def org_children(request: HttpRequest, pk: int) -> HttpResponse:
    org = access.access_org(request.user, pk)
    show_retired = request.GET.get("retired") == "1"
    nodes = queries.org_children(request.user, org, show_retired=show_retired)
    return render(request, "orgs/_org_nodes.html", {"nodes": nodes, "show_retired": show_retired})


@login_required
@require_GET
def org_detail(request: HttpRequest, pk: int) -> HttpResponse:
    org = access.access_org(request.user, pk)
    detail = queries.org_detail(
        request.user, org.pk, after=request.GET.get("after"), before=request.GET.get("before")
    )
    return render(
        request,
        "orgs/org_detail.html",
        {
            "nav": "orgs",
            "d": detail,
            "org": detail.org,
            "can_manage": access.can_manage_org(request.user, detail.org),
            "can_reshape": access.can_manage_org(request.user, detail.org, strict=True),
            "panels": org_panels.for_org(detail.org, request.user),
        },
    )


@login_required
@GET_POST
def org_new_child(request: access.SignedInRequest, pk: int) -> HttpResponse:
    parent = access.access_org(request.user, pk, write=True)
    form = forms.OrgForm(request.POST or None, user=request.user, parent=parent)
    org = _run(request, form, lambda data: actions.create_org(request.user, parent, **data))
    if org:
        messages.success(request, _("The organisation was created."))
        return redirect("org-detail", org.pk)
    return _form_page(
        request,
        _("New organisation under %(name)s") % {"name": parent.name},
        form,
        back=parent,
        nav="orgs",
        submit=_("Create"),
    )


@login_required
@GET_POST
def org_edit(request: access.SignedInRequest, pk: int) -> HttpResponse:
    org = access.access_org(request.user, pk, write=True)
    form = forms.OrgForm(request.POST or None, instance=org, user=request.user)
    if _run(request, form, lambda data: actions.update_org(request.user, org, **data)):
        messages.success(request, _("The changes were saved."))
        return redirect("org-detail", org.pk)
    return _form_page(request, _("Edit %(name)s") % {"name": org.name}, form, back=org, nav="orgs")


def _access_org_to_reshape(request: HttpRequest, pk: int) -> Any:
    """Moving, retiring and merging are decided from above: a post in the organisation
    itself does not allow them (actions check the same with `strict=True`)."""
    org = access.access_org(request.user, pk)
    if not access.can_manage_org(request.user, org, strict=True):
        raise PermissionDenied
    return org


@login_required
@GET_POST
def org_move(request: access.SignedInRequest, pk: int) -> HttpResponse:
    org = _access_org_to_reshape(request, pk)
    q = request.GET.get("q", "").strip()
    form = forms.OrgMoveForm(request.POST or None, user=request.user, org=org, q=q)
    moved = _run(
        request,
        form,
        lambda d: actions.move_org(request.user, org, d["new_parent"], note=d["note"]),
    )
    if moved:
        messages.success(request, _("The organisation was moved."))
        return redirect("org-detail", org.pk)
    return _form_page(
        request,
        _("Move %(name)s") % {"name": org.name},
        form,
        back=org,
        nav="orgs",
        search_q=q,
        submit=_("Move"),
    )


@login_required
@GET_POST
def org_retire(request: access.SignedInRequest, pk: int) -> HttpResponse:
    org = _access_org_to_reshape(request, pk)
    form = forms.OrgRetireForm(request.POST or None)
    if _run(request, form, lambda d: actions.retire_org(request.user, org, note=d["note"])):
        messages.success(request, _("The organisation was retired."))
        return redirect("org-detail", org.pk)
    return _form_page(
        request,
        _("Retire %(name)s") % {"name": org.name},
        form,
        back=org,
        nav="orgs",
        danger=True,
        submit=_("Retire"),
        intro=_(
            "Retiring ends its posts. Its child organisations and members must be moved first."
        ),
    )


@login_required
@GET_POST
def org_merge(request: access.SignedInRequest, pk: int) -> HttpResponse:
    org = _access_org_to_reshape(request, pk)
    form = forms.OrgMergeForm(request.POST or None, user=request.user, org=org)
    target = _run(
        request, form, lambda d: actions.merge_org(request.user, org, d["target"], note=d["note"])
    )
    if target:
        messages.success(request, _("The organisation was merged."))
        return redirect("org-detail", target.pk)
    return _form_page(
        request,
        _("Merge %(name)s") % {"name": org.name},
        form,
        back=org,
        nav="orgs",
        danger=True,
        submit=_("Merge"),
        intro=_(
            "Its members and child organisations move to the organisation "
            "it is merged into; its posts end."
        ),
    )


# --- Posts ----------------------------------------------------------------------------------


def _post_new(
    request: access.SignedInRequest, scope_kind: str, scope: Any, nav: str
) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    form = forms.PostForm(
        request.POST or None, user=request.user, scope_kind=scope_kind, scope=scope, q=q
    )

    def appoint(d: dict[str, Any]) -> Any:
        return actions.appoint(
            request.user, d.pop("person"), d.pop("role"), **{scope_kind: scope}, **d
        )

    if _run(request, form, appoint):
        messages.success(request, _("The post was given."))
        return redirect(f"{scope_kind}-detail", scope.pk)
    return _form_page(
        request,
        _("Appoint a post in %(name)s") % {"name": scope.name},
        form,
        back=scope,
        nav=nav,
        search_q=q,
        search_hint=_("Search people by name or pinyin initials"),
        submit=_("Appoint"),
    )


@login_required
@GET_POST
def org_post_new(request: access.SignedInRequest, pk: int) -> HttpResponse:
    return _post_new(request, "org", access.access_org(request.user, pk, write=True), "orgs")


@login_required
@GET_POST
def area_post_new(request: access.SignedInRequest, pk: int) -> HttpResponse:
    return _post_new(request, "area", access.access_area(request.user, pk, write=True), "areas")


@login_required
@GET_POST
def unit_post_new(request: access.SignedInRequest, pk: int) -> HttpResponse:
    return _post_new(request, "unit", access.access_unit(request.user, pk, write=True), "areas")


@login_required
@require_POST
def post_end(request: access.SignedInRequest, pk: int) -> HttpResponse:
    post = access.access_post(request.user, pk, write=True)
    form = forms.EndPostForm(request.POST)
    if _run(request, form, lambda d: actions.end_post(request.user, post, note=d["note"])):
        messages.success(request, _("The post was ended."))
    else:
        for error in [*form.non_field_errors(), *form.errors.get("note", [])]:
            messages.error(request, error)
    if request.POST.get("next") == "person":
        return redirect("person-detail", post.person_id)
    kind = "org" if post.org_id else "area" if post.area_id else "unit"
    return redirect(f"{kind}-detail", post.scope.pk)


# --- Areas ----------------------------------------------------------------------------------


@login_required
@require_GET
def area_tree(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    context: dict[str, Any] = {"nav": "areas", "q": q}
    if q:
        context["results"] = queries.search_areas(request.user, q)
    else:
        roots = queries.area_roots(request.user)
        if len(roots) == 1:
            roots[0].kids = queries.area_children(request.user, roots[0])
        context["nodes"] = roots
    template = "orgs/_area_browser.html" if _is_partial(request) else "orgs/area_tree.html"
    return render(request, template, context)


@login_required
@require_GET
def area_children(request: HttpRequest, pk: int) -> HttpResponse:
    area = access.access_area(request.user, pk)
    nodes = queries.area_children(request.user, area)
    return render(request, "orgs/_area_nodes.html", {"nodes": nodes})


@login_required
@require_GET
def area_detail(request: HttpRequest, pk: int) -> HttpResponse:
    area = access.access_area(request.user, pk)
    return render(
        request,
        "orgs/area_detail.html",
        {
            "nav": "areas",
            "d": queries.area_detail(request.user, area),
            "area": area,
            "can_manage": access.can_manage_area(request.user, area),
            "can_reshape": access.can_manage_area(request.user, area, strict=True),
        },
    )


@login_required
@GET_POST
def area_new_child(request: access.SignedInRequest, pk: int) -> HttpResponse:
    parent = access.access_area(request.user, pk, write=True)
    form = forms.AreaForm(request.POST or None, user=request.user, parent=parent)
    area = _run(request, form, lambda data: actions.create_area(request.user, parent, **data))
    if area:
        messages.success(request, _("The area was created."))
        return redirect("area-detail", area.pk)
    return _form_page(
        request,
        _("New area under %(name)s") % {"name": parent.name},
        form,
        back=parent,
        nav="areas",
        submit=_("Create"),
    )


@login_required
@GET_POST
def area_edit(request: access.SignedInRequest, pk: int) -> HttpResponse:
    area = access.access_area(request.user, pk, write=True)
    form = forms.AreaForm(request.POST or None, instance=area, user=request.user)
    if _run(request, form, lambda data: actions.update_area(request.user, area, **data)):
        messages.success(request, _("The changes were saved."))
        return redirect("area-detail", area.pk)
    return _form_page(
        request, _("Edit %(name)s") % {"name": area.name}, form, back=area, nav="areas"
    )


@login_required
@GET_POST
def area_move(request: access.SignedInRequest, pk: int) -> HttpResponse:
    area = access.access_area(request.user, pk)
    if not access.can_manage_area(request.user, area, strict=True):
        raise PermissionDenied
    q = request.GET.get("q", "").strip()
    form = forms.AreaMoveForm(request.POST or None, user=request.user, area=area, q=q)
    moved = _run(
        request,
        form,
        lambda d: actions.move_area(request.user, area, d["new_parent"], note=d["note"]),
    )
    if moved:
        messages.success(request, _("The area was moved."))
        return redirect("area-detail", area.pk)
    return _form_page(
        request,
        _("Move %(name)s") % {"name": area.name},
        form,
        back=area,
        nav="areas",
        search_q=q,
        submit=_("Move"),
    )


# --- Units ----------------------------------------------------------------------------------


@login_required
@require_GET
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = access.access_unit(request.user, pk)
    detail = queries.unit_detail(
        request.user, unit.pk, after=request.GET.get("after"), before=request.GET.get("before")
    )
    return render(
        request,
        "orgs/unit_detail.html",
        {
            "nav": "areas",
            "d": detail,
            "unit": detail.unit,
            "can_manage": access.can_manage_unit(request.user, detail.unit),
        },
    )


# --- People ---------------------------------------------------------------------------------


def _may_add_people(user: Any) -> bool:
    """Only managers add people; actions.create_person then checks the place they add to."""
    scope = access.scope_of(user)
    return scope.superuser or bool(scope.roles & MANAGER_ROLES)


@login_required
@require_GET
def person_list(request: HttpRequest) -> HttpResponse:
    filters = forms.PersonFilterForm(request.GET or None)
    page = queries.people_directory(
        request.user,
        **filters.filters(),
        after=request.GET.get("after"),
        before=request.GET.get("before"),
    )
    context = {
        "nav": "people",
        "filters": filters,
        "page": page,
        "can_create": _may_add_people(request.user),
    }
    template = "orgs/_person_rows.html" if _is_partial(request) else "orgs/person_list.html"
    return render(request, template, context)


@login_required
@require_GET
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = access.access_person(request.user, pk)
    return render(
        request,
        "orgs/person_detail.html",
        {
            "nav": "people",
            "d": queries.person_detail(request.user, person),
            "person": person,
            "can_manage": access.can_manage_person(request.user, person),
        },
    )


@login_required
@GET_POST
def person_new(request: access.SignedInRequest) -> HttpResponse:
    if not _may_add_people(request.user):
        raise PermissionDenied
    form = forms.PersonForm(request.POST or None, user=request.user)
    person = _run(request, form, lambda data: actions.create_person(request.user, **data))
    if person:
        messages.success(request, _("The person was added."))
        return redirect("person-detail", person.pk)
    return _form_page(
        request,
        _("Add a person"),
        form,
        nav="people",
        back_url=reverse("person-list"),
        back_label=_("People"),
        submit=_("Add"),
    )


@login_required
@GET_POST
def person_edit(request: access.SignedInRequest, pk: int) -> HttpResponse:
    person = access.access_person(request.user, pk, write=True)
    form = forms.PersonForm(request.POST or None, instance=person, user=request.user)
    if _run(request, form, lambda data: actions.update_person(request.user, person, **data)):
        messages.success(request, _("The changes were saved."))
        return redirect("person-detail", person.pk)
    return _form_page(
        request, _("Edit %(name)s") % {"name": person.name}, form, back=person, nav="people"
    )


# --- Audit ----------------------------------------------------------------------------------


@login_required
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    if not access.is_office(request.user):
        raise Http404
    filters = forms.AuditFilterForm(request.GET or None)
    page = queries.audit_page(
        request.user,
        **filters.filters(),
        after=request.GET.get("after"),
        before=request.GET.get("before"),
    )
    return render(
        request,
        "orgs/audit_log.html",
        {"nav": "audit", "filters": filters, "page": page, "verbs": queries.AUDIT_VERBS},
    )
