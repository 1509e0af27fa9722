"""Pages of news: the editor's list, a new item, an item (with its review steps), its
editor, an organisation's news page and its settings switch.

The organisation's news page and an item's page answer anyone who may read them, signed in
or not (a public organisation); everything else needs a sign-in. Every object comes through
`access` (404 outside scope), every write through one function of `actions`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from juli.orgs.access import SignedInRequest

from . import access, actions, forms, queries
from .models import NewsItem

PER_PAGE = 20


def _message(error: ValidationError) -> str:
    return " ".join(error.messages)


def _editor(request: HttpRequest) -> Any:
    if not access.shows_news(request.user):
        raise Http404
    return request.user


def _page(request: HttpRequest, qs: Any) -> Any:
    return Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))


@login_required
@require_GET
def news_list(request: HttpRequest) -> HttpResponse:
    user = _editor(request)
    status = request.GET.get("status", "")
    q = request.GET.get("q", "").strip()[:60]
    page = _page(request, queries.editor_news(user, status=status, q=q))
    context = {
        "nav": "news",
        "page": page,
        "status": status if status in NewsItem.Status.values else "",
        "statuses": NewsItem.Status.choices,
        "q": q,
        "can_create": access.news_orgs(user).exists(),
        "settings_orgs": list(access.configurable_orgs(user)[:50]),
    }
    return render(request, "news/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def news_new(request: SignedInRequest) -> HttpResponse:
    user = _editor(request)
    orgs = access.news_orgs(user)
    form = forms.NewItemForm(request.POST or None, orgs=orgs)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = actions.create_item(
                request.user,
                data["org"],
                title=data["title"],
                summary=data["summary"],
                body=data["body"],
            )
        except ValidationError as error:
            form.add_error(None, _message(error))
        else:
            messages.success(request, _("Draft saved."))
            return redirect("news-item", item.pk)
    status = 400 if form.errors else 200
    return render(request, "news/edit.html", {"nav": "news", "form": form}, status=status)


def _item_context(request: HttpRequest, item: NewsItem, **extra: Any) -> dict[str, Any]:
    user = request.user
    writes = access.can_write_org(user, item.org)
    reviews = access.may_review(user, item)
    own = bool(item.author_id) and item.author_id == getattr(user, "pk", None)
    events = item.events.select_related("actor__person") if writes or reviews or own else []
    return {
        "nav": "news",
        "item": item,
        "editor_view": writes or reviews or own,
        "can_edit": writes and item.status == NewsItem.Status.DRAFT,
        "can_review": reviews and item.status == NewsItem.Status.IN_REVIEW,
        "can_withdraw": item.status == NewsItem.Status.PUBLISHED
        and (reviews or own or access.can_configure_org(user, item.org)),
        "events": [(e, actions.ACTION_LABELS.get(e.action, e.action)) for e in events],
        "reason_form": forms.ReasonForm(),
        **extra,
    }


@require_GET
def news_item(request: HttpRequest, pk: int) -> HttpResponse:
    item = access.access_item(request.user, pk)
    return render(request, "news/item.html", _item_context(request, item))


@login_required
@require_http_methods(["GET", "POST"])
def news_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    item = access.access_item(request.user, pk, write=True)
    if item.status != NewsItem.Status.DRAFT:
        messages.error(request, _("Only a draft can be edited."))
        return redirect("news-item", item.pk)
    initial = {"title": item.title, "summary": item.summary, "body": item.body}
    form = forms.NewsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_item(request.user, item, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, _message(error))
        else:
            messages.success(request, _("Draft saved."))
            return redirect("news-item", item.pk)
    context = {"nav": "news", "form": form, "item": item}
    return render(request, "news/edit.html", context, status=400 if form.errors else 200)


def _step(request: SignedInRequest, pk: int, run: Any, done: str) -> HttpResponse:
    item = access.access_item(request.user, pk)
    try:
        run(item)
    except ValidationError as error:
        messages.error(request, _message(error))
        status = 409 if getattr(error, "code", "") == "illegal_state" else 400
        context = _item_context(request, item)
        return render(request, "news/item.html", context, status=status)
    except PermissionDenied:
        raise
    messages.success(request, done)
    return redirect("news-item", item.pk)


@login_required
@require_POST
def news_submit(request: SignedInRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        lambda item: actions.submit_item(request.user, item),
        _("Submitted for review."),
    )


@login_required
@require_POST
def news_approve(request: SignedInRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        lambda item: actions.approve_item(request.user, item),
        _("Approved and published."),
    )


@login_required
@require_POST
def news_return(request: SignedInRequest, pk: int) -> HttpResponse:
    reason = request.POST.get("reason", "")
    return _step(
        request,
        pk,
        lambda item: actions.return_item(request.user, item, reason=reason),
        _("Returned to the author."),
    )


@login_required
@require_POST
def news_withdraw(request: SignedInRequest, pk: int) -> HttpResponse:
    reason = request.POST.get("reason", "")
    return _step(
        request,
        pk,
        lambda item: actions.withdraw_item(request.user, item, reason=reason),
        _("Withdrawn."),
    )


@require_GET
def org_news(request: HttpRequest, pk: int) -> HttpResponse:
    org = access.access_org_news(request.user, pk)
    q = request.GET.get("q", "").strip()[:60]
    page = _page(request, queries.org_news(request.user, org, q=q))
    context = {
        "nav": "news",
        "org": org,
        "page": page,
        "q": q,
        "public": access.is_public(org),
        "can_configure": access.can_configure_org(request.user, org),
    }
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.history_restore_request:
        return render(request, "news/_org_items.html", context)
    return render(request, "news/org.html", context)


@login_required
@require_POST
def org_news_settings(request: SignedInRequest, pk: int) -> HttpResponse:
    org = access.access_org_settings(request.user, pk)
    public = request.POST.get("public") == "1"
    actions.set_public(request.user, org, public=public)
    if public:
        messages.success(request, _("The news page is now public."))
    else:
        messages.success(request, _("The news page is now for signed-in readers only."))
    return redirect("news-org", org.pk)
