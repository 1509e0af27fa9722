"""The review flow: draft → in review → published (→ withdrawn), return with a reason,
illegal moves refused, the author never approves their own item, who reviews."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from juli.core.models import AuditLog
from juli.news import access, actions
from juli.news.actions import NewsError
from juli.news.models import NewsEvent, NewsItem
from juli.notify.models import Notification

from .conftest import appoint_officer, write

S = NewsItem.Status


def test_it_walks_an_item_from_draft_to_published_and_withdrawn(cast):
    item = write(cast.branch_secretary, cast.branch1)
    assert item.status == S.DRAFT
    assert item.author == cast.branch_secretary
    item = actions.submit_item(cast.branch_secretary, item)
    assert item.status == S.IN_REVIEW
    item = actions.approve_item(cast.bureau_secretary, item)
    assert item.status == S.PUBLISHED
    assert item.reviewer == cast.bureau_secretary
    assert item.published_at is not None
    item = actions.withdraw_item(cast.bureau_secretary, item, reason="数据有误")
    assert item.status == S.WITHDRAWN
    assert item.reason == "数据有误"
    assert list(NewsEvent.objects.filter(item=item).values_list("action", flat=True)) == [
        "create",
        "submit",
        "approve",
        "withdraw",
    ]
    assert list(
        AuditLog.objects.filter(object_type="news.newsitem")
        .order_by("pk")
        .values_list("verb", flat=True)
    ) == ["news.create", "news.submit", "news.approve", "news.withdraw"]


def test_it_refuses_the_author_approving_their_own_item(cast):
    item = write(cast.bureau_secretary, cast.branch1, to=S.IN_REVIEW)
    with pytest.raises(PermissionDenied):
        actions.approve_item(cast.bureau_secretary, item)
    item.refresh_from_db()
    assert item.status == S.IN_REVIEW
    assert NewsEvent.objects.filter(item=item, action="approve").count() == 0
    # and another reviewer may
    assert actions.approve_item(cast.branch_secretary, item).status == S.PUBLISHED


@pytest.mark.parametrize(
    ("state", "step"),
    [
        (S.DRAFT, "approve"),
        (S.DRAFT, "return"),
        (S.DRAFT, "withdraw"),
        (S.IN_REVIEW, "submit"),
        (S.IN_REVIEW, "withdraw"),
        (S.PUBLISHED, "submit"),
        (S.PUBLISHED, "approve"),
        (S.PUBLISHED, "return"),
        (S.WITHDRAWN, "approve"),
        (S.WITHDRAWN, "submit"),
    ],
)
def test_it_refuses_illegal_moves(cast, state, step):
    item = write(cast.branch_secretary, cast.branch1, to=state)
    events = NewsEvent.objects.count()
    calls = {
        "submit": lambda: actions.submit_item(cast.branch_secretary, item),
        "approve": lambda: actions.approve_item(cast.bureau_secretary, item),
        "return": lambda: actions.return_item(cast.bureau_secretary, item, reason="重写"),
        "withdraw": lambda: actions.withdraw_item(cast.bureau_secretary, item, reason="撤回"),
    }
    with pytest.raises(NewsError) as error:
        calls[step]()
    assert error.value.code == "illegal_state"
    item.refresh_from_db()
    assert item.status == state
    assert NewsEvent.objects.count() == events


def test_it_refuses_editing_anything_but_a_draft(cast):
    item = write(cast.branch_secretary, cast.branch1, to=S.IN_REVIEW)
    with pytest.raises(NewsError):
        actions.update_item(cast.branch_secretary, item, title="新标题")
    item.refresh_from_db()
    assert item.title == "第一党支部开展主题党日活动"


def test_it_returns_an_item_with_a_reason_and_tells_the_author(cast):
    item = write(cast.branch_secretary, cast.branch1, to=S.IN_REVIEW)
    with pytest.raises(NewsError) as error:
        actions.return_item(cast.bureau_secretary, item, reason="  ")
    assert error.value.code == "reason_required"
    item = actions.return_item(cast.bureau_secretary, item, reason="请补充参会人数")
    assert item.status == S.DRAFT
    assert item.reason == "请补充参会人数"
    note = Notification.objects.get(kind="news_returned")
    assert note.recipient == cast.branch_secretary
    # a returned draft can be edited and submitted again
    item = actions.update_item(cast.branch_secretary, item, title="改过的标题", body="正文")
    assert actions.submit_item(cast.branch_secretary, item).status == S.IN_REVIEW


def test_it_tells_the_reviewers_when_an_item_is_submitted(cast):
    write(cast.branch_secretary, cast.branch1, to=S.IN_REVIEW)
    told = set(
        Notification.objects.filter(kind="news_submitted").values_list("recipient", flat=True)
    )
    # the branch has no publicity officer: the secretaries over it, not the author
    assert told == {cast.bureau_secretary.pk}


def test_it_gives_the_review_to_the_publicity_officer_where_there_is_one(cast):
    officer = appoint_officer(cast.branch1)
    item = write(cast.branch_secretary, cast.branch1, to=S.IN_REVIEW)
    told = set(
        Notification.objects.filter(kind="news_submitted").values_list("recipient", flat=True)
    )
    assert told == {officer.pk}
    assert list(access.reviewable_news(officer)) == [item]
    assert list(access.reviewable_news(cast.bureau_secretary)) == []
    with pytest.raises(PermissionDenied):
        actions.approve_item(cast.bureau_secretary, item)
    assert actions.approve_item(officer, item).status == S.PUBLISHED


def test_it_refuses_a_step_from_someone_without_the_right(mw):
    c = mw.c
    item = write(c.branch_secretary, c.branch1, to=S.IN_REVIEW)
    for user in (mw.member, c.sibling_secretary, c.outsider):
        with pytest.raises((PermissionDenied, Exception)):
            actions.approve_item(user, item)
    item.refresh_from_db()
    assert item.status == S.IN_REVIEW
    with pytest.raises(PermissionDenied):
        actions.create_item(mw.member, c.branch1, title="成员投稿")
    with pytest.raises(PermissionDenied):
        actions.create_item(c.sibling_secretary, c.branch1, title="别的支部")
    assert NewsItem.objects.count() == 1


def test_it_publishes_to_the_organisations_channels(cast):
    from juli.notify.models import Channel, Delivery

    Channel.objects.create(
        name="支部群",
        kind="wecom",
        target="https://example.invalid/hook",
        org=cast.branch1,
        kinds=["news_published"],
    )
    item = write(
        cast.branch_secretary, cast.branch1, to=S.PUBLISHED, reviewer=cast.bureau_secretary
    )
    assert Delivery.objects.filter(kind="news_published").count() == 1
    assert Notification.objects.get(kind="news_published").recipient == cast.branch_secretary
    assert item.status == S.PUBLISHED


def test_the_workbench_lists_items_to_review_for_reviewers_only(cast):
    from juli.news.todos import to_review

    item = write(cast.branch_secretary, cast.branch1, to=S.IN_REVIEW)
    assert list(to_review(cast.bureau_secretary)) == [item]
    assert list(to_review(cast.branch_secretary)) == []  # their own
    assert list(to_review(cast.sibling_secretary)) == []
    actions.approve_item(cast.bureau_secretary, item)
    assert list(to_review(cast.bureau_secretary)) == []
