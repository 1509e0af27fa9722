"""The meetings desk: list, plan, change, cancel, invitees, documents, "my meetings",
access for every page, the list's query count."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from juli.core import attachments
from juli.core.models import AuditLog
from juli.meetings.actions import plan
from juli.meetings.models import Attendee, Meeting, MeetingDocument, MeetingEvent
from juli.notify.models import Notification

from .conftest import at, make_meeting

pytestmark = pytest.mark.django_db


def user_of(world, who):  # type: ignore[no-untyped-def]
    if who is None:
        return None
    return getattr(world, who, None) or getattr(world.c, who)


def client_for(user):  # type: ignore[no-untyped-def]
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def local(dt: datetime.datetime) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def plan_post(**over):  # type: ignore[no-untyped-def]
    start = timezone.now() + datetime.timedelta(days=3)
    data = {
        "part_count": "1",
        "kind": "party_lecture",
        "title": "",
        "starts_at": local(start),
        "ends_at": local(start + datetime.timedelta(hours=2)),
        "place": "党员活动室",
        "late_after_minutes": "10",
        "with_members": "on",
        "part-1-title": "",
        "part-1-agenda": "学习党章 | 书记\n讨论",
    }
    data.update(over)
    return data


# --- Access -----------------------------------------------------------------------------------


@pytest.fixture
def world(mw):  # type: ignore[no-untyped-def]
    mw.b1 = make_meeting(mw.c.branch1, actor=mw.c.branch_secretary, title="一支部大会")
    mw.b2 = make_meeting(mw.c.branch2, actor=mw.c.sibling_secretary, title="二支部大会")
    return mw


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 302),
        ("outsider", 404),
        ("sibling_member", 404),
        ("sibling_secretary", 404),
        ("member", 200),
        ("branch_secretary", 200),
        ("bureau_secretary", 200),
        ("platform_admin", 200),
    ],
)
def test_it_scopes_the_meeting_page(world, who, status):  # type: ignore[no-untyped-def]
    user = user_of(world, who)
    r = client_for(user).get(reverse("meetings-detail", args=[world.b1.pk]))
    assert r.status_code == status


def test_it_lists_only_visible_meetings(world):  # type: ignore[no-untyped-def]
    html = client_for(world.member).get(reverse("meetings-list")).content.decode()
    assert "一支部大会" in html and "二支部大会" not in html
    html = client_for(world.c.bureau_secretary).get(reverse("meetings-list")).content.decode()
    assert "一支部大会" in html and "二支部大会" in html
    html = client_for(world.c.outsider).get(reverse("meetings-list")).content.decode()
    assert "一支部大会" not in html and "二支部大会" not in html


def test_an_invited_guest_from_elsewhere_sees_that_one_meeting(world):  # type: ignore[no-untyped-def]
    plan.add_invitees(
        world.c.branch_secretary,
        world.b1,
        [plan.Invitee(category="sit_in", person=world.c.outsider_person)],
    )
    c = client_for(world.c.outsider)
    assert c.get(reverse("meetings-detail", args=[world.b1.pk])).status_code == 200
    assert c.get(reverse("meetings-detail", args=[world.b2.pk])).status_code == 404
    mine = c.get(reverse("meetings-mine")).content.decode()
    assert "一支部大会" in mine and "二支部大会" not in mine


@pytest.mark.parametrize("who", ["member", "outsider", "sibling_secretary"])
def test_it_refuses_writes_to_those_who_do_not_run_it(world, who):  # type: ignore[no-untyped-def]
    user = user_of(world, who)
    c = client_for(user)
    before = (
        AuditLog.objects.count(),
        Attendee.objects.count(),
        Meeting.objects.filter(status="cancelled").count(),
    )
    pk = world.b1.pk
    for name, data in [
        ("meetings-edit", plan_post()),
        ("meetings-cancel", {"reason": "x"}),
        ("meetings-invite", {"category": "attend", "guests": "某人"}),
        ("meetings-document-add", {}),
    ]:
        r = c.post(reverse(name, args=[pk]), data)
        assert r.status_code in (403, 404), name
    assert c.get(reverse("meetings-edit", args=[pk])).status_code in (403, 404)
    after = (
        AuditLog.objects.count(),
        Attendee.objects.count(),
        Meeting.objects.filter(status="cancelled").count(),
    )
    assert before == after


def test_plan_page_is_for_those_who_run_an_org(world):  # type: ignore[no-untyped-def]
    assert client_for(world.member).get(reverse("meetings-new")).status_code == 404
    assert client_for(world.c.outsider).get(reverse("meetings-new")).status_code == 404
    url = reverse("meetings-new") + f"?org={world.c.branch2.pk}"
    assert client_for(world.c.branch_secretary).get(url).status_code == 404
    r = client_for(world.c.branch_secretary).get(reverse("meetings-new"))
    assert r.status_code == 200  # one org (and its group): the chooser or the form
    r = client_for(world.c.bureau_secretary).get(reverse("meetings-new"))
    assert r.status_code == 200 and "第一党支部" in r.content.decode()


# --- Planning ---------------------------------------------------------------------------------


def test_it_plans_a_meeting_with_parts_agenda_members_and_guests(world):  # type: ignore[no-untyped-def]
    c = client_for(world.c.branch_secretary)
    url = reverse("meetings-new") + f"?org={world.c.branch1.pk}"
    data = plan_post(
        part_count="2",
        **{
            "part-1-title": "上半场",
            "part-1-presider": str(world.c.branch_secretary_person.pk),
            "part-2-title": "下半场",
            "part-2-presider_name": "区委组织部 李部长",
            "part-2-agenda": "签订责任书",
            "sit_in": [str(world.c.bureau_secretary_person.pk)],
            "guests": "王老 | 退休党员代表 | 参加\n李四 | 区委组织部 | 列席",
            "new_series": "2026年度支部党员大会",
        },
    )
    r = c.post(url, data)
    assert r.status_code == 302, r.content.decode()[:3000]
    m = Meeting.objects.exclude(pk__in=[world.b1.pk, world.b2.pk]).get()
    assert m.org == world.c.branch1 and m.kind == "party_lecture"
    assert m.title.startswith("第一党支部") and "Party lecture" in m.title
    assert m.series.name == "2026年度支部党员大会" and m.series_no == 1
    parts = list(m.parts.order_by("order"))
    assert [p.title for p in parts] == ["上半场", "下半场"]
    assert parts[0].presider == world.c.branch_secretary_person
    assert parts[1].presider_name == "区委组织部 李部长"
    assert [(a.title, a.presenter, a.part_id) for a in m.agenda.order_by("order")] == [
        ("学习党章", "书记", parts[0].pk),
        ("讨论", "", parts[0].pk),
        ("签订责任书", "", parts[1].pk),
    ]
    rows = {a.name: (a.category, a.source) for a in m.attendees.all()}
    assert rows["冯党员"] == ("attend", "member")
    assert rows["周局长"] == ("sit_in", "invited")
    assert rows["王老"] == ("take_part", "guest")
    assert rows["李四"] == ("sit_in", "guest")
    assert AuditLog.objects.filter(verb="meeting.plan", object_id=str(m.pk)).count() == 1
    told = Notification.objects.filter(recipient=world.member, kind="meeting_planned")
    assert told.filter(url=reverse("meetings-detail", args=[m.pk])).count() == 1


def test_add_a_part_keeps_what_was_typed(world):  # type: ignore[no-untyped-def]
    c = client_for(world.c.branch_secretary)
    url = reverse("meetings-new") + f"?org={world.c.branch1.pk}"
    r = c.post(url, plan_post(title="保留的标题", add_part="1"))
    html = r.content.decode()
    assert r.status_code == 200
    assert 'name="part-2-title"' in html and "保留的标题" in html
    assert 'class="error"' not in html
    assert Meeting.objects.count() == 2


@pytest.mark.parametrize(
    ("over", "field", "message"),
    [
        ({"starts_at": ""}, "starts_at", "Give the date and time."),
        ({"ends_at": "2020-01-01T10:00"}, "ends_at", "The meeting must end after it starts."),
        ({"place": "", "online_link": ""}, "place", "Give a place or an online link."),
        ({"online_link": "not a link", "place": ""}, "online_link", "Enter a web address"),
        ({"guests": "王老 | 单位 | 旁听"}, "guests", "the category is 出席, 列席 or 参加"),
        ({"kind": "tea_party"}, "kind", "Select a valid choice"),
    ],
)
def test_planning_errors_show_at_the_field_and_write_nothing(world, over, field, message):  # type: ignore[no-untyped-def]
    c = client_for(world.c.branch_secretary)
    url = reverse("meetings-new") + f"?org={world.c.branch1.pk}"
    count = (Meeting.objects.count(), AuditLog.objects.count())
    r = c.post(url, plan_post(title="我的标题", **over))
    assert r.status_code == 400
    form = r.context["form"]
    assert field in form.errors and message in " ".join(form.errors[field])
    assert "我的标题" in r.content.decode()  # nothing lost
    assert (Meeting.objects.count(), AuditLog.objects.count()) == count


def test_a_series_numbers_its_meetings(world):  # type: ignore[no-untyped-def]
    series = plan.create_series(world.c.branch_secretary, world.c.branch1, name="全体会议")
    a = make_meeting(world.c.branch1, actor=world.c.branch_secretary, series=series)
    b = make_meeting(world.c.branch1, actor=world.c.branch_secretary, series=series)
    assert (a.series_no, b.series_no) == (1, 2)
    html = client_for(world.member).get(reverse("meetings-detail", args=[b.pk])).content.decode()
    assert "第2次全体会议" in html


# --- Changing ---------------------------------------------------------------------------------


def test_moving_the_time_reannounces_once_and_recomputes_members(world):  # type: ignore[no-untyped-def]
    m = world.b1
    assert Notification.objects.filter(recipient=world.member, kind="meeting_planned").count() == 1
    # a guest, a leave row and a member who joins later
    plan.add_invitees(
        world.c.branch_secretary, m, [plan.Invitee(name="王老", category="take_part")]
    )
    Attendee.objects.filter(meeting=m, person=world.member2_person).update(
        status="leave", leave_reason="出差"
    )
    new_start = m.starts_at + datetime.timedelta(days=10)
    data = {
        "title": m.title,
        "starts_at": new_start,
        "ends_at": new_start + datetime.timedelta(hours=2),
        "place": "三楼会议室",
    }
    plan.update_meeting(world.c.branch_secretary, m, **data)
    plan.update_meeting(world.c.branch_secretary, m, **data)  # same time again: no new notice
    assert Notification.objects.filter(recipient=world.member, kind="meeting_planned").count() == 2
    m.refresh_from_db()
    assert m.place == "三楼会议室" and m.starts_at == new_start
    names = dict(m.attendees.values_list("name", "status"))
    assert names["王老"] == "expected" and names["卫党员"] == "leave" and "冯党员" in names
    assert AuditLog.objects.filter(verb="meeting.update", object_id=str(m.pk)).count() == 2


def test_a_new_date_drops_members_who_left_and_adds_new_ones(world):  # type: ignore[no-untyped-def]
    from juli.orgs import actions as org_actions

    m = world.b1
    newcomer = org_actions.create_person(
        None,
        name="新党员",
        phone="13800000099",
        party_org=world.c.branch1,
        political_status="member",
    )
    newcomer.party_joined_on = timezone.localdate(m.starts_at) + datetime.timedelta(days=5)
    newcomer.save(update_fields=["party_joined_on"])
    assert not m.attendees.filter(person=newcomer).exists()
    later = m.starts_at + datetime.timedelta(days=30)
    plan.update_meeting(
        world.c.branch_secretary, m, starts_at=later, ends_at=later + datetime.timedelta(hours=1)
    )
    assert m.attendees.filter(person=newcomer, source="member").exists()


def test_the_edit_page_changes_parts_and_agenda(world):  # type: ignore[no-untyped-def]
    c = client_for(world.c.branch_secretary)
    m = world.b1
    r = c.get(reverse("meetings-edit", args=[m.pk]))
    assert r.status_code == 200
    data = plan_post(title="改过的标题", **{"part-1-agenda": "新议题 | 委员"})
    data.pop("kind")
    r = c.post(reverse("meetings-edit", args=[m.pk]), data)
    assert r.status_code == 302, r.content.decode()[:2000]
    m.refresh_from_db()
    assert m.title == "改过的标题"
    assert list(m.agenda.values_list("title", "presenter")) == [("新议题", "委员")]


def test_a_held_meeting_cannot_be_changed_or_cancelled(world):  # type: ignore[no-untyped-def]
    m = world.b1
    Meeting.objects.filter(pk=m.pk).update(status="held")
    m.refresh_from_db()
    with pytest.raises(plan.MeetingError) as err:
        plan.update_meeting(world.c.branch_secretary, m, title="x")
    assert err.value.code == "illegal_state"
    with pytest.raises(plan.MeetingError):
        plan.cancel_meeting(world.c.branch_secretary, m, reason="x")
    c = client_for(world.c.branch_secretary)
    r = c.get(reverse("meetings-edit", args=[m.pk]), follow=True)
    assert "Only a planned meeting can be changed" in r.content.decode()
    assert not AuditLog.objects.filter(verb__in=["meeting.update", "meeting.cancel"]).exists()


def test_cancel_needs_a_reason_and_tells_the_invitees(world):  # type: ignore[no-untyped-def]
    c = client_for(world.c.branch_secretary)
    url = reverse("meetings-cancel", args=[world.b1.pk])
    r = c.post(url, {"reason": ""}, follow=True)
    assert "Say why the meeting is cancelled." in r.content.decode()
    assert Meeting.objects.get(pk=world.b1.pk).status == "planned"
    c.post(url, {"reason": "台风停工"})
    m = Meeting.objects.get(pk=world.b1.pk)
    assert (m.status, m.cancel_reason) == ("cancelled", "台风停工")
    assert MeetingEvent.objects.filter(meeting=m, action="cancel").count() == 1
    assert (
        Notification.objects.filter(recipient=world.member, kind="meeting_cancelled").count() == 1
    )


def test_invite_and_remove_guests_but_not_members(world):  # type: ignore[no-untyped-def]
    c = client_for(world.c.branch_secretary)
    m = world.b1
    r = c.post(
        reverse("meetings-invite", args=[m.pk]),
        {
            "category": "sit_in",
            "person": world.c.bureau_secretary_person.pk,
            "guests": "客人甲 | 街道",
        },
    )
    assert r.status_code == 302
    row = m.attendees.get(name="客人甲")
    assert (row.source, row.category, row.affiliation) == ("guest", "take_part", "街道")
    assert m.attendees.get(person=world.c.bureau_secretary_person).category == "sit_in"
    r = c.post(reverse("meetings-invite", args=[m.pk]), {"category": "attend"})
    assert r.status_code == 400 and "Choose a person or write a guest" in r.content.decode()
    c.post(reverse("meetings-uninvite", args=[m.pk, row.pk]))
    assert not m.attendees.filter(name="客人甲").exists()
    member_row = m.attendees.get(person=world.member_person)
    r = c.post(reverse("meetings-uninvite", args=[m.pk, member_row.pk]), follow=True)
    assert "a member who cannot come asks for leave" in r.content.decode()
    assert m.attendees.filter(pk=member_row.pk).exists()
    # another meeting's row: 404
    other = world.b2.attendees.first()
    if other is not None:
        assert c.post(reverse("meetings-uninvite", args=[m.pk, other.pk])).status_code == 404


# --- Documents --------------------------------------------------------------------------------


def _pdf(size: int = 200) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        "材料.pdf", b"%PDF-1.4\n" + b"0" * size, content_type="application/pdf"
    )


def test_documents_upload_download_remove(world):  # type: ignore[no-untyped-def]
    c = client_for(world.c.branch_secretary)
    m = world.b1
    r = c.post(reverse("meetings-document-add", args=[m.pk]), {"title": "学习材料", "file": _pdf()})
    assert r.status_code == 302
    doc = MeetingDocument.objects.get(meeting=m)
    assert (doc.title, doc.content_type, doc.role) == ("学习材料", "application/pdf", "material")
    r = client_for(world.member).get(reverse("meetings-document", args=[doc.pk]))
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF-")
    assert (
        client_for(world.sibling_member)
        .get(reverse("meetings-document", args=[doc.pk]))
        .status_code
        == 404
    )
    assert (
        client_for(world.member)
        .post(reverse("meetings-document-remove", args=[doc.pk]))
        .status_code
        == 403
    )
    c.post(reverse("meetings-document-remove", args=[doc.pk]))
    assert not MeetingDocument.objects.filter(pk=doc.pk).exists()
    verbs = list(
        AuditLog.objects.filter(object_id=str(m.pk), verb__startswith="meeting.document")
        .order_by("pk")
        .values_list("verb", flat=True)
    )
    assert verbs == ["meeting.document_add", "meeting.document_remove"]


def test_a_fake_file_is_refused(world):  # type: ignore[no-untyped-def]
    c = client_for(world.c.branch_secretary)
    fake = SimpleUploadedFile("报告.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    r = c.post(reverse("meetings-document-add", args=[world.b1.pk]), {"file": fake})
    assert r.status_code == 400
    assert "does not match its name" in r.content.decode()
    exe = SimpleUploadedFile("tool.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    r = c.post(reverse("meetings-document-add", args=[world.b1.pk]), {"file": exe})
    assert r.status_code == 400 and "Attach a photo, a PDF" in r.content.decode()
    assert not MeetingDocument.objects.exists()


def test_an_oversized_file_is_refused(world, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(attachments, "MAX_ATTACHMENT_BYTES", 1000)
    c = client_for(world.c.branch_secretary)
    r = c.post(reverse("meetings-document-add", args=[world.b1.pk]), {"file": _pdf(5000)})
    assert r.status_code == 400 and "larger than 20 MB" in r.content.decode()
    assert not MeetingDocument.objects.exists()


def test_a_photo_is_reencoded(world):  # type: ignore[no-untyped-def]
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buf, "PNG")
    c = client_for(world.c.branch_secretary)
    up = SimpleUploadedFile("签到表.png", buf.getvalue(), content_type="image/png")
    assert (
        c.post(reverse("meetings-document-add", args=[world.b1.pk]), {"file": up}).status_code
        == 302
    )
    doc = MeetingDocument.objects.get()
    assert doc.content_type == "image/jpeg" and doc.file.name.endswith(".jpg")


def test_materials_stay_once_the_meeting_started(world):  # type: ignore[no-untyped-def]
    m = make_meeting(
        world.c.branch1,
        actor=world.c.branch_secretary,
        starts_at=timezone.now() - datetime.timedelta(minutes=5),
    )
    doc = plan.add_document(world.c.branch_secretary, m, upload=_pdf())
    with pytest.raises(plan.MeetingError):
        plan.remove_document(world.c.branch_secretary, doc)
    assert MeetingDocument.objects.filter(pk=doc.pk).exists()


# --- Pages ------------------------------------------------------------------------------------


def test_the_page_shows_roster_by_category_and_the_cards(world):  # type: ignore[no-untyped-def]
    plan.add_invitees(
        world.c.branch_secretary,
        world.b1,
        [plan.Invitee(name="王老", category="take_part", affiliation="退休党员代表")],
    )
    r = client_for(world.c.branch_secretary).get(reverse("meetings-detail", args=[world.b1.pk]))
    html = r.content.decode()
    assert 'id="roster-attend"' in html and 'id="roster-take_part"' in html
    assert "冯党员" in html and "王老" in html and "退休党员代表" in html
    assert "13800000011" not in html  # never phone numbers
    assert 'id="history"' in html and "Planned" in html
    assert reverse("meetings-edit", args=[world.b1.pk]) in html
    member_html = (
        client_for(world.member)
        .get(reverse("meetings-detail", args=[world.b1.pk]))
        .content.decode()
    )
    assert reverse("meetings-edit", args=[world.b1.pk]) not in member_html
    assert 'id="history"' not in member_html


def test_my_meetings_lists_my_roster_rows(world):  # type: ignore[no-untyped-def]
    past = make_meeting(
        world.c.branch1,
        actor=world.c.branch_secretary,
        title="上月党课",
        starts_at=at(timezone.localdate() - datetime.timedelta(days=30)),
    )
    Attendee.objects.filter(meeting=past, person=world.member_person).update(status="leave")
    html = client_for(world.member).get(reverse("meetings-mine")).content.decode()
    assert "一支部大会" in html and "上月党课" in html and "二支部大会" not in html
    up = html.index('id="mine-upcoming"')
    pa = html.index('id="mine-past"')
    assert up < html.index("一支部大会") < pa < html.index("上月党课")
    # a user without a person gets the page, empty
    assert client_for(world.c.platform_admin).get(reverse("meetings-mine")).status_code == 200


def test_list_filters(world):  # type: ignore[no-untyped-def]
    make_meeting(
        world.c.branch2, "theme_day", actor=world.c.sibling_secretary, title="主题党日活动"
    )
    c = client_for(world.c.bureau_secretary)
    html = c.get(reverse("meetings-list"), {"kind": "theme_day"}).content.decode()
    assert "主题党日活动" in html and "一支部大会" not in html
    html = c.get(reverse("meetings-list"), {"org": world.c.branch1.pk}).content.decode()
    assert "一支部大会" in html and "二支部大会" not in html
    month = timezone.localtime(world.b1.starts_at).strftime("%Y-%m")
    html = c.get(reverse("meetings-list"), {"month": month, "status": "planned"}).content.decode()
    assert "一支部大会" in html
    html = c.get(reverse("meetings-list"), {"month": "2001-01"}).content.decode()
    assert "一支部大会" not in html
    r = c.get(reverse("meetings-list"), {"kind": "theme_day"}, HTTP_HX_REQUEST="true")
    assert "<html" not in r.content.decode() and "主题党日活动" in r.content.decode()


def test_list_query_count_is_pinned(world):  # type: ignore[no-untyped-def]
    c = client_for(world.c.bureau_secretary)
    c.get(reverse("meetings-list"))
    with CaptureQueriesContext(connection) as few:
        c.get(reverse("meetings-list"))
    for n in range(8):
        make_meeting(
            world.c.branch1 if n % 2 else world.c.branch2,
            actor=world.c.bureau_secretary,
            title=f"会{n}",
            starts_at=timezone.now() + datetime.timedelta(days=n - 4),
        )
    with CaptureQueriesContext(connection) as many:
        r = c.get(reverse("meetings-list"))
    assert r.status_code == 200
    assert len(many) == len(few)
    assert len(few) <= 16, [q["sql"] for q in few.captured_queries]
