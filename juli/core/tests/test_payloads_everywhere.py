"""Hostile text in every free-text field of every app: stored as typed, shown as text.

Every CharField/TextField of the Juli models that a person types is either in `COVERED`
(filled by the `hostile` world through the apps' actions with an XSS + SQL + formula
payload carrying the field's own marker) or in `EXCLUDED` (with the reason it is not free
text); `test_it_covers_or_excludes_every_text_field` fails when a new field is neither, so
the coverage cannot rot silently. Choices fields, regex- or e-mail-validated fields and
fields nobody edits (paths, search keys) are recognised by introspection.

The world is then read back everywhere: office, phone and admin pages escape each payload
(the raw `<script>alert(` / `<img src=x onerror` never appear, each field's escaped marker
does), the PDFs print it as text, every Excel export stores it as an inert string, the REST
API and the office forms take it and store it unchanged, and the SQL fragment dropped
nothing. One world per module, rolled back at the end.
"""

from __future__ import annotations

import datetime
import io
import re
import subprocess
import uuid
from decimal import Decimal
from html.parser import HTMLParser
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote
from xml.etree import ElementTree
from xml.sax.saxutils import escape as xml_escape

import icalendar
import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.validators import EmailValidator, RegexValidator
from django.db import connection, models, transaction
from django.test import TestCase, override_settings
from django.utils import timezone, translation
from django.utils.html import escape
from openpyxl import load_workbook
from rest_framework.test import APIClient

import config.settings as production
from juli.bulletins import actions as bulletin_actions
from juli.bulletins.figures import EVENT_FIGURES
from juli.cases import actions as case_actions
from juli.cases import points
from juli.cases import publication as case_publication
from juli.cases.inspections import submit_inspection
from juli.cases.models import Case
from juli.cases.tests.conftest import photo
from juli.conftest import PASSWORD, build_cast
from juli.duties import actions as duty_actions
from juli.duties.models import DutyPostKind
from juli.honours import actions as honour_actions
from juli.honours.models import Honour, Target
from juli.letters import actions as letter_actions
from juli.letters.models import Letter
from juli.letters.tests.conftest import SIGNATURE
from juli.meetings import publicity, signin
from juli.meetings.actions import attendance as meeting_attendance
from juli.meetings.actions import minutes as meeting_minutes
from juli.meetings.actions import plan as meeting_plan
from juli.meetings.models import Attendee, MakeUp, MeetingKind
from juli.news import actions as news_actions
from juli.notify import actions as notify_actions
from juli.notify.models import Delivery, Notification
from juli.observation import actions as observation_actions
from juli.observation.models import ObservationVisit
from juli.orgs import actions as org_actions
from juli.orgs.models import PartyOrg
from juli.orgs.roles import Role
from juli.rankings import actions as ranking_actions
from juli.rankings.models import DEFAULT_WEIGHTS
from juli.rankings.scoring import last_complete_week, week_label
from juli.rating.actions import review as rating_review
from juli.rating.actions import rounds as rating_rounds
from juli.rating.actions import selfassess as rating_self
from juli.rating.actions import standards as rating_standards
from juli.rating.actions.rounds import assessment_rows

pytestmark = pytest.mark.django_db

XSS = "<script>alert('x')</script><img src=x onerror=alert(1)>"
SQL = "'; DROP TABLE cases_case; --"
RAW = ("<script>alert(", "<img src=x onerror")
ESCAPED_SCRIPT = "&lt;script&gt;alert("

# (model label, field) -> marker. Every payload starts with "=<something with the marker>"
# (a spreadsheet formula) and goes on with the XSS; the longest form that fits the field.
COVERED: dict[tuple[str, str], str] = {
    ("orgs.Unit", "name"): "T01",
    ("orgs.Area", "name"): "T02",
    ("orgs.PartyOrg", "name"): "T03",
    ("orgs.PartyOrg", "short_name"): "T04",
    ("orgs.Person", "name"): "T05",
    ("orgs.Post", "title"): "T06",
    ("orgs.Post", "certificate_no"): "T07",
    ("orgs.TreeChange", "note"): "T08",
    ("cases.PointCategory", "name"): "T09",
    ("cases.CaseCategory", "name"): "T10",
    ("cases.ChecklistItem", "text"): "T11",
    ("cases.Point", "name"): "T12",
    ("cases.CalendarDay", "name"): "T13",
    ("cases.Case", "title"): "T14",
    ("cases.Case", "description"): "T15",
    ("cases.Case", "reporter_name"): "T16",
    ("cases.Case", "reporter_phone"): "T17",
    ("cases.Case", "deferred_reason"): "T18",
    ("cases.Case", "reporter_address"): "T311A",
    ("cases.Case", "public_reply"): "T311B",
    ("cases.CaseEvent", "note"): "T19",
    ("cases.InspectionResult", "note"): "T20",
    ("bulletins.Bulletin", "notes"): "T21",
    ("notify.Channel", "name"): "T22",
    ("letters.LetterTemplate", "title"): "T23",
    ("letters.LetterTemplate", "preamble"): "T24",
    ("letters.TemplateItem", "section"): "T25",
    ("letters.TemplateItem", "content"): "T26",
    ("letters.TemplateItem", "indicator"): "T27",
    ("letters.TemplateItem", "evidence_hint"): "T28",
    ("letters.Letter", "title"): "T29",
    ("letters.Letter", "preamble"): "T30",
    ("letters.Letter", "self_remark"): "T31",
    ("letters.Letter", "review_remark"): "T32",
    ("letters.LetterItem", "section"): "T33",
    ("letters.LetterItem", "content"): "T34",
    ("letters.LetterItem", "indicator"): "T35",
    ("letters.LetterItem", "evidence_hint"): "T36",
    ("letters.LetterItem", "self_remark"): "T37",
    ("letters.LetterItem", "review_reason"): "T38",
    ("letters.LetterEvent", "note"): "T39",
    ("letters.Evidence", "title"): "T40",
    ("letters.Evidence", "note"): "T41",
    ("letters.Evidence", "file_name"): "T42",
    ("duties.DutyList", "title"): "T43",
    ("duties.DutyList", "note"): "T44",
    ("duties.DutyPost", "title"): "T45",
    ("duties.Duty", "text"): "T46",
    ("duties.Duty", "frequency"): "T47",
    ("duties.LeaderDesignation", "title"): "T48",
    ("meetings.MeetingSeries", "name"): "T49",
    ("meetings.MeetingSeries", "number_format"): "T50",
    ("meetings.Meeting", "title"): "T51",
    ("meetings.Meeting", "place"): "T52",
    ("meetings.Meeting", "description"): "T53",
    ("meetings.Meeting", "cancel_reason"): "T54",
    ("meetings.MeetingPart", "title"): "T55",
    ("meetings.MeetingPart", "presider_name"): "T56",
    ("meetings.AgendaItem", "title"): "T57",
    ("meetings.AgendaItem", "presenter"): "T58",
    ("meetings.Attendee", "name"): "T59",
    ("meetings.Attendee", "affiliation"): "T60",
    ("meetings.Attendee", "proxy_reason"): "T61",
    ("meetings.Attendee", "leave_reason"): "T62",
    ("meetings.MeetingDocument", "title"): "T63",
    ("meetings.Minutes", "summary"): "T64",
    ("meetings.Minutes", "change_reason"): "T65",
    ("meetings.MinutesItem", "title"): "T66",
    ("meetings.MinutesItem", "summary"): "T67",
    ("meetings.MinutesItem", "speakers"): "T68",
    ("meetings.Resolution", "text"): "T69",
    ("meetings.MakeUp", "note"): "T70",
    ("news.NewsItem", "title"): "T71",
    ("news.NewsItem", "summary"): "T72",
    ("news.NewsItem", "body"): "T73",
    ("news.NewsItem", "reason"): "T74",
    ("observation.ObservationCycle", "title"): "T75",
    ("observation.ObservationVisit", "shown"): "T76",
    ("observation.ObservationVisit", "feedback"): "T77",
    ("observation.VisitEvent", "note"): "T78",
    ("observation.ScoreSheet", "comment"): "T79",
    ("observation.Rectification", "title"): "T80",
    ("observation.Rectification", "detail"): "T81",
    ("observation.Rectification", "evidence_note"): "T82",
    ("observation.RectificationFile", "name"): "T83",
    ("observation.RectificationEvent", "note"): "T84",
    ("rating.RatingStandard", "title"): "T85",
    ("rating.RatingStandard", "description"): "T86",
    ("rating.StandardCategory", "name"): "T87",
    ("rating.Criterion", "code"): "T88",
    ("rating.Criterion", "title"): "T89",
    ("rating.Criterion", "description"): "T90",
    ("rating.Criterion", "evidence_hint"): "T91",
    ("rating.VetoItem", "title"): "T92",
    ("rating.VetoItem", "description"): "T93",
    ("rating.RatingRound", "title"): "T94",
    ("rating.CriterionScore", "self_note"): "T95",
    ("rating.Assessment", "self_summary"): "T96",
    ("rating.ScoreFile", "name"): "T97",
    ("rating.AssessmentEvent", "note"): "T98",
    ("rating.CriterionScore", "review_reason"): "T99",
    ("rating.VetoFinding", "reason"): "T100",
    ("rating.Assessment", "review_note"): "T101",
    ("rating.Objection", "text"): "T102",
    ("rating.Objection", "answer"): "T103",
    ("rating.RoundEvent", "note"): "T104",
    ("rating.StarChange", "reason"): "T105",
    ("rating.StarChange", "decision_ref"): "T106",
    ("honours.HonourKind", "name"): "T107",
    ("honours.HonourKind", "description"): "T108",
    ("honours.HonourKind", "criteria"): "T109",
    ("honours.Nomination", "reason"): "T110",
    ("honours.NominationEvent", "note"): "T111",
    ("honours.Nomination", "review_reason"): "T112",
    ("honours.Honour", "revoke_reason"): "T113",
    ("honours.Honour", "decision_ref"): "T114",
    ("honours.HonourEvent", "note"): "T115",
}

_SYSTEM = "written by the system, never typed"
_COPY = "a copy of a covered field, written by the system"
_HASH = "a hash or fingerprint"
EXCLUDED: dict[tuple[str, str], str] = {
    # core: audit rows, idempotency records, jobs, workers, uploads.
    ("core.AuditLog", "actor_label"): _COPY,
    ("core.AuditLog", "verb"): _SYSTEM,
    ("core.AuditLog", "object_type"): _SYSTEM,
    ("core.AuditLog", "object_id"): _SYSTEM,
    ("core.AuditLog", "object_label"): _COPY,
    ("core.AuditLog", "scope_kind"): _SYSTEM,
    ("core.AuditLog", "scope_path"): "a tree path",
    ("core.AuditLog", "note"): _COPY + " (the action's note)",
    ("core.Submission", "owner"): _SYSTEM,
    ("core.Submission", "method"): _SYSTEM,
    ("core.Submission", "path"): "a request path",
    ("core.Submission", "fingerprint"): _HASH,
    ("core.Upload", "sha256"): _HASH,
    ("core.ScheduledRun", "name"): _SYSTEM,
    ("core.ScheduledRun", "task_path"): "a dotted path",
    ("core.ScheduledRun", "task_result_id"): "a task id",
    ("core.ScheduledRun", "error"): _SYSTEM,
    ("core.WorkerHeartbeat", "worker_id"): _SYSTEM,
    ("core.WorkerHeartbeat", "host"): _SYSTEM,
    ("core.ExportJob", "kind"): _SYSTEM,
    ("core.ExportJob", "fingerprint"): _HASH,
    ("core.ExportJob", "filename"): _SYSTEM,
    ("core.ExportJob", "error"): _SYSTEM,
    # orgs: tree paths, passwords, Django's unused name fields, tree-history copies.
    ("orgs.Area", "path"): "a tree path",
    ("orgs.PartyOrg", "path"): "a tree path",
    ("orgs.User", "password"): _HASH,
    ("orgs.User", "first_name"): "unused: people's names live on Person",
    ("orgs.User", "last_name"): "unused: people's names live on Person",
    ("orgs.TreeChange", "old_parent_name"): _COPY,
    ("orgs.TreeChange", "new_parent_name"): _COPY,
    ("orgs.TreeChange", "old_path"): "a tree path",
    ("orgs.TreeChange", "new_path"): "a tree path",
    ("orgs.TreeChange", "old_name"): _COPY,
    ("orgs.TreeChange", "new_name"): _COPY,
    # cases: event codes, photo hashes, notifications composed from the case.
    ("cases.CaseEvent", "action"): _SYSTEM,
    ("cases.CaseEvent", "from_status"): _SYSTEM,
    ("cases.CaseEvent", "to_status"): _SYSTEM,
    ("cases.CasePhoto", "sha256"): _HASH,
    ("notify.Notification", "text"): _COPY + " (composed from the case)",
    ("notify.Notification", "event_key"): _SYSTEM,
    ("notify.Notification", "url"): _SYSTEM,
    # bulletins and rankings: event codes, the ISO week, snapshots of names.
    ("bulletins.BulletinEvent", "action"): _SYSTEM,
    ("bulletins.BulletinEvent", "from_status"): _SYSTEM,
    ("bulletins.BulletinEvent", "to_status"): _SYSTEM,
    ("rankings.Ranking", "week"): "an ISO week, checked",
    ("rankings.RankingEvent", "action"): _SYSTEM,
    ("rankings.RankingEvent", "from_status"): _SYSTEM,
    ("rankings.RankingEvent", "to_status"): _SYSTEM,
    ("rankings.RankingEvent", "note"): _SYSTEM,
    ("rankings.RankingRow", "subject_path"): "a tree path",
    ("rankings.RankingRow", "name"): _COPY + " (area or unit name)",
    # notify: addresses and URLs are validated, the secret is a token never shown.
    ("notify.Channel", "target"): "validated e-mail addresses or webhook URL",
    ("notify.Channel", "secret"): "a token, never shown back",
    ("notify.Delivery", "event_key"): _SYSTEM,
    ("notify.Delivery", "title"): _COPY + " (composed from the event)",
    ("notify.Delivery", "last_error"): _SYSTEM,
    # letters: hashes, the computed grade, system reasons, file metadata.
    ("letters.Letter", "content_hash"): _HASH,
    ("letters.Letter", "grade"): "computed from the total (grade_for)",
    ("letters.Signature", "image_sha256"): _HASH,
    ("letters.Signature", "content_hash"): _HASH,
    ("letters.Signature", "void_reason"): _SYSTEM,
    ("letters.LetterEvent", "action"): _SYSTEM,
    ("letters.LetterEvent", "from_status"): _SYSTEM,
    ("letters.LetterEvent", "to_status"): _SYSTEM,
    ("letters.LetterEvent", "content_hash"): _HASH,
    ("letters.Evidence", "file_type"): "a content type chosen by the server",
    ("letters.Evidence", "file_sha256"): _HASH,
    ("letters.LetterPrint", "sha256"): _HASH,
    ("letters.LetterPrint", "content_hash"): _HASH,
    # orgs: a membership's note is the note of the merger that opened it.
    ("orgs.Membership", "note"): _COPY + " (the merger's note)",
    # meetings: event codes and copies of the reasons, the server's content types, tokens.
    ("meetings.MeetingEvent", "action"): _SYSTEM,
    ("meetings.MeetingEvent", "from_status"): _SYSTEM,
    ("meetings.MeetingEvent", "to_status"): _SYSTEM,
    ("meetings.MeetingEvent", "note"): _COPY + " (the cancel or revision reason)",
    ("meetings.MeetingDocument", "content_type"): "a content type chosen by the server",
    ("meetings.CalendarFeed", "token"): "a random token, never typed",
    # news: event codes and reasons copied from the item, the record it was made from.
    ("news.NewsEvent", "action"): _SYSTEM,
    ("news.NewsEvent", "from_status"): _SYSTEM,
    ("news.NewsEvent", "to_status"): _SYSTEM,
    ("news.NewsEvent", "note"): _COPY + " (the return or withdrawal reason)",
    ("news.NewsItem", "source_label"): _COPY + " (the meeting's title)",
    ("news.NewsItem", "source_url"): "a path written by the system",
    # observation: event codes, a cycle's events carry no typed note, the server's types.
    ("observation.CycleEvent", "action"): _SYSTEM,
    ("observation.CycleEvent", "from_status"): _SYSTEM,
    ("observation.CycleEvent", "to_status"): _SYSTEM,
    ("observation.CycleEvent", "note"): _SYSTEM + " (opening and closing take no note)",
    ("honours.CallEvent", "note"): _SYSTEM + " (a call's steps take no note)",
    ("observation.VisitEvent", "action"): _SYSTEM,
    ("observation.VisitEvent", "from_status"): _SYSTEM,
    ("observation.VisitEvent", "to_status"): _SYSTEM,
    ("observation.RectificationEvent", "action"): _SYSTEM,
    ("observation.RectificationEvent", "from_status"): _SYSTEM,
    ("observation.RectificationEvent", "to_status"): _SYSTEM,
    ("observation.RectificationFile", "content_type"): "a content type chosen by the server",
    # rating: event codes, the registry's metric keys, the measured figure's own text.
    ("rating.RoundEvent", "action"): _SYSTEM,
    ("rating.RoundEvent", "from_status"): _SYSTEM,
    ("rating.RoundEvent", "to_status"): _SYSTEM,
    ("rating.AssessmentEvent", "action"): _SYSTEM,
    ("rating.AssessmentEvent", "from_status"): _SYSTEM,
    ("rating.AssessmentEvent", "to_status"): _SYSTEM,
    ("rating.Criterion", "metric"): "a key of the metrics registry, checked",
    ("rating.CriterionScore", "figure_text"): _SYSTEM + " (the measured figure, core.metrics)",
    # honours: event codes, the certificate's number and hash, the nominee's name copied.
    ("honours.CallEvent", "action"): _SYSTEM,
    ("honours.CallEvent", "from_status"): _SYSTEM,
    ("honours.CallEvent", "to_status"): _SYSTEM,
    ("honours.NominationEvent", "action"): _SYSTEM,
    ("honours.NominationEvent", "from_status"): _SYSTEM,
    ("honours.NominationEvent", "to_status"): _SYSTEM,
    ("honours.HonourEvent", "action"): _SYSTEM,
    ("honours.HonourEvent", "from_status"): _SYSTEM,
    ("honours.HonourEvent", "to_status"): _SYSTEM,
    ("honours.Honour", "number"): _SYSTEM + " (<year>-<code>-<n>)",
    ("honours.Honour", "content_hash"): _HASH,
    ("honours.Honour", "holder_name"): _COPY + " (the nominee's name)",
    ("honours.Nomination", "nominee_name"): _COPY + " (the organisation's or person's name)",
}


def _long(tag: str) -> str:
    return f'=HYPERLINK("http://evil.example","{tag}"){XSS}{SQL}'


def payload_for(max_length: int | None, tag: str) -> str:
    """The longest payload that fits `max_length`; each starts with '=' and the marker."""
    variants = [
        _long(tag),
        f'=HYPERLINK("{tag}"){XSS}{SQL}',
        f"={tag}{XSS}",
        f"={tag}<script>alert(1)</script>",
        f"={tag}<script>alert(1",
    ]
    for text in variants:
        if max_length is None or len(text) <= max_length:
            return text
    raise AssertionError(f"no payload fits {max_length} characters")


# An uploaded file's name keeps only what follows the last "/", so this one has no slash.
OVERRIDES = {
    ("letters.Evidence", "file_name"): "=T42<img src=x onerror=alert(1)><script>alert(1);'--.pdf",
    # A series' numbering must hold "{n}" (the number printed in its place).
    ("meetings.MeetingSeries", "number_format"): "=T50<script>alert(1)</script>第{n}次'--",
    (
        "observation.RectificationFile",
        "name",
    ): "=T83<img src=x onerror=alert(1)><script>alert(1);'--.pdf",
    ("rating.ScoreFile", "name"): "=T97<img src=x onerror=alert(1)><script>alert(1);'--.pdf",
}


def _field(key: tuple[str, str]) -> Any:
    return apps.get_model(key[0])._meta.get_field(key[1])


def P(label: str, field: str) -> str:  # noqa: N802 - reads like a constant at the call sites
    """The payload of the covered field `label.field`."""
    key = (label, field)
    if key in OVERRIDES:
        return OVERRIDES[key]
    return payload_for(_field(key).max_length, COVERED[key])


def escaped_marker(key: tuple[str, str]) -> str:
    """What a page shows of the field: its escaped payload up to `<script>alert(`."""
    text = P(*key)
    return escape(text[: text.index("<script>") + len("<script>alert(")])


def text_fields() -> set[tuple[str, str]]:
    """Every free-text-looking CharField/TextField of the Juli models (introspected)."""
    found = set()
    for model in apps.get_models():
        if not model.__module__.startswith("juli.") or model._meta.abstract:
            continue
        if model._meta.app_config.name not in production.INSTALLED_APPS:
            continue  # an app of the test settings only (config/settings_test.py)
        for f in model._meta.concrete_fields:
            if not isinstance(f, models.CharField | models.TextField):
                continue
            if f.choices or not f.editable:  # a closed set, or kept by the system
                continue
            if any(isinstance(v, RegexValidator | EmailValidator) for v in f.validators):
                continue  # codes, phones, usernames, e-mail: validated, not free text
            found.add((model._meta.label, f.name))
    return found


def test_it_covers_or_excludes_every_text_field() -> None:
    fields = text_fields()
    assert sorted(fields - set(COVERED) - set(EXCLUDED)) == []  # new: cover or exclude it
    assert sorted((set(COVERED) | set(EXCLUDED)) - fields) == []  # stale entries
    assert sorted(set(COVERED) & set(EXCLUDED)) == []
    assert len(set(COVERED.values())) == len(COVERED)


def test_it_fits_every_payload_in_its_field() -> None:
    for key in COVERED:
        text = P(*key)
        limit = _field(key).max_length
        assert limit is None or len(text) <= limit, key
        assert text.startswith("=") and "<script>alert(" in text, key


# --- The hostile world --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile(django_db_setup, django_db_blocker, tmp_path_factory):  # type: ignore[no-untyped-def]
    """One world for the module, built in a transaction that is rolled back at the end (each
    test runs in a savepoint inside it). The function-scoped settings of juli/conftest.py
    are not there yet when it is built, hence the overrides."""
    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
            JULI_TASKS_BACKEND="immediate",
            MEDIA_ROOT=media,
            LANGUAGE_CODE="en",
        ),
        translation.override("en"),
        transaction.atomic(),
    ):
        cache.clear()
        with TestCase.captureOnCommitCallbacks(execute=True):
            world = _build(SimpleNamespace(c=build_cast()))
        world.media = media
        yield world
        transaction.set_rollback(True)


def _build(w: Any) -> SimpleNamespace:  # noqa: PLR0915 - one world, written field by field
    c = w.c
    h = SimpleNamespace(w=w, c=c)
    today = timezone.localdate()
    # orgs
    org_actions.update_unit(None, c.property_co, name=P("orgs.Unit", "name"))
    org_actions.update_area(None, c.mengxi, name=P("orgs.Area", "name"))
    org_actions.update_org(
        None,
        c.branch1,
        name=P("orgs.PartyOrg", "name"),
        short_name=P("orgs.PartyOrg", "short_name"),
    )
    org_actions.update_person(None, c.branch_secretary_person, name=P("orgs.Person", "name"))
    h.post = org_actions.appoint(
        None,
        c.member_person,
        Role.PARTY_SECRETARY,
        org=c.group1,
        title=P("orgs.Post", "title"),
        certificate_no=P("orgs.Post", "certificate_no"),
        started_on=datetime.date(2024, 1, 1),
    )
    h.moved = org_actions.create_org(
        None, c.branch2, name="临时党小组", kind="group", code="PT-B2-G9", unit=c.putuo_unit
    )
    org_actions.move_org(None, h.moved, c.branch1, note=P("orgs.TreeChange", "note"))
    for name in ("branch1", "mengxi", "property_co"):
        getattr(c, name).refresh_from_db()

    # notify: a channel of the street, which the case's dispatch reaches
    h.channel = notify_actions.create_channel(
        None,
        c.dapuqiao,
        kind="email",
        target="office@example.cn",
        kinds=["bulletin", "dispatched"],
        name=P("notify.Channel", "name"),
        covers_subtree=True,
    )

    # cases
    h.point_category = case_actions.create_point_category(
        None, code="hostile", name=P("cases.PointCategory", "name")
    )
    h.case_category = case_actions.create_case_category(
        None, code="hostile", name=P("cases.CaseCategory", "name"), time_limit=4, time_unit="hours"
    )
    h.item = case_actions.create_checklist_item(
        None,
        h.point_category,
        text=P("cases.ChecklistItem", "text"),
        deduction=Decimal("2"),
        case_category=h.case_category,
        order=1,
    )
    h.point = points.create_point(
        None,
        code="P-H",
        name=P("cases.Point", "name"),
        area=c.grid1,
        category=h.point_category,
        responsible_unit=c.property_co,
    )
    h.holiday = datetime.date(today.year + 1, 10, 1)
    case_actions.set_calendar_day(None, h.holiday, "holiday", P("cases.CalendarDay", "name"))
    week_start = last_complete_week(today)
    h.week = week_label(week_start)
    reported = timezone.make_aware(
        datetime.datetime.combine(week_start + datetime.timedelta(days=1), datetime.time(10))
    )
    h.case = case_actions.report_case(
        c.district_admin,
        client_uuid=uuid.uuid4(),
        source=Case.Source.HOTLINE,
        category=h.case_category,
        title=P("cases.Case", "title"),
        description=P("cases.Case", "description"),
        reporter_name=P("cases.Case", "reporter_name"),
        reporter_phone=P("cases.Case", "reporter_phone"),
        reporter_address=P("cases.Case", "reporter_address"),
        point=h.point,
        at=reported,
    )
    note = P("cases.CaseEvent", "note")
    case_actions.accept_case(c.street_officer, h.case, note=note)
    case_actions.dispatch_case(c.street_officer, h.case, unit=c.property_co, note=note)
    case_actions.defer_case(
        c.street_officer,
        h.case,
        requested_by=c.unit_staff,
        note=P("cases.Case", "deferred_reason"),
    )
    h.inspection = submit_inspection(
        c.inspector,
        client_uuid=uuid.uuid4(),
        point=h.point,
        results=[(h.item, False, P("cases.InspectionResult", "note"), [photo()])],
        started_at=timezone.now() - datetime.timedelta(minutes=5),
    )
    h.inspection_case = Case.objects.get(inspection=h.inspection)
    case_publication.update_publication(
        c.street_officer, h.case, public_reply=P("cases.Case", "public_reply"), is_public=True
    )
    h.case.refresh_from_db()

    # bulletins (yesterday's, for the street), rankings (last week's, for the district)
    yesterday = today - datetime.timedelta(days=1)
    h.bulletin = bulletin_actions.generate_bulletin(c.street_officer, c.dapuqiao, yesterday)
    bulletin_actions.set_notes(c.street_officer, h.bulletin, P("bulletins.Bulletin", "notes"))
    ranking_actions.update_settings(
        None, c.huangpu, enabled=True, auto_publish=True, weights=dict(DEFAULT_WEIGHTS)
    )
    h.ranking = ranking_actions.compute_ranking(None, c.huangpu, h.week)

    # letters: a template, a letter with an organisation-specific item, signed, evidenced,
    # self-assessed, returned with a note, assessed again and reviewed.
    h.template = letter_actions.create_template(
        None,
        c.putuo,
        year=today.year,
        level="branch",
        title=P("letters.LetterTemplate", "title"),
        preamble=P("letters.LetterTemplate", "preamble"),
    )
    letter_actions.add_template_item(
        None,
        h.template,
        section=P("letters.TemplateItem", "section"),
        content=P("letters.TemplateItem", "content"),
        indicator=P("letters.TemplateItem", "indicator"),
        points=Decimal("60"),
        evidence_hint=P("letters.TemplateItem", "evidence_hint"),
    )
    (h.letter,) = letter_actions.prepare_letters(None, h.template, [c.branch1])
    letter_actions.update_letter(
        None,
        h.letter,
        title=P("letters.Letter", "title"),
        preamble=P("letters.Letter", "preamble"),
    )
    letter_actions.add_item(
        None,
        h.letter,
        section=P("letters.LetterItem", "section"),
        content=P("letters.LetterItem", "content"),
        indicator=P("letters.LetterItem", "indicator"),
        points=Decimal("40"),
        evidence_hint=P("letters.LetterItem", "evidence_hint"),
    )
    letter_actions.issue_letters(None, [h.letter])
    letter_actions.sign_letter(
        c.bureau_secretary, h.letter, "issuer", method="drawn", image=SIGNATURE
    )
    letter_actions.sign_letter(
        c.branch_secretary, h.letter, "receiver", method="drawn", image=SIGNATURE
    )
    h.letter = Letter.objects.get(pk=h.letter.pk)
    items = list(h.letter.items.order_by("order"))
    h.letter_item = items[-1]
    letter_actions.add_evidence(
        c.branch_secretary,
        h.letter,
        title=P("letters.Evidence", "title"),
        items=items,
        note=P("letters.Evidence", "note"),
    )
    pdf = SimpleUploadedFile(
        P("letters.Evidence", "file_name"),
        b"%PDF-1.4\n%hostile\n",
        content_type="application/pdf",
    )
    h.evidence_file = letter_actions.add_evidence(
        c.branch_secretary, h.letter, title="", items=items[:1], upload=pdf
    )
    self_scores = {i.pk: ("30", P("letters.LetterItem", "self_remark")) for i in items}
    remark = P("letters.Letter", "self_remark")
    letter_actions.save_self_assessment(
        c.branch_secretary, h.letter, self_scores, remark=remark, submit=True
    )
    letter_actions.return_self_assessment(
        c.bureau_secretary, h.letter, note=P("letters.LetterEvent", "note")
    )
    letter_actions.save_self_assessment(
        c.branch_secretary, h.letter, self_scores, remark=remark, submit=True
    )
    letter_actions.save_review(
        c.bureau_secretary,
        h.letter,
        {i.pk: ("25", P("letters.LetterItem", "review_reason")) for i in items},
        remark=P("letters.Letter", "review_remark"),
        finish=True,
    )
    h.letter = Letter.objects.get(pk=h.letter.pk)

    # duties
    h.duty_list = duty_actions.create_list(
        None,
        c.putuo,
        year=today.year,
        title=P("duties.DutyList", "title"),
        note=P("duties.DutyList", "note"),
    )
    h.duty_post = duty_actions.add_post(
        None,
        h.duty_list,
        level=PartyOrg.Kind.BRANCH,
        post=DutyPostKind.SECRETARY,
        title=P("duties.DutyPost", "title"),
    )
    h.duty = duty_actions.add_duty(
        None,
        h.duty_post,
        text=P("duties.Duty", "text"),
        frequency=P("duties.Duty", "frequency"),
    )
    h.leader = duty_actions.designate_leader(
        None, c.member_person, c.branch1, title=P("duties.LeaderDesignation", "title")
    )
    _build_meetings(h, today)
    _build_observation(h, today)
    _build_rating(h, today)
    _build_honours(h, today)
    return h


def _build_observation(h: Any, today: datetime.date) -> None:
    """Observation: a cycle over the Putuo bureau's two branches; branch 1's visit moved to
    today (with a reason), held, scored by branch 2's secretary, closed with feedback; two
    rectification items, one closed with evidence, one closed and reopened with a reason."""
    c = h.c
    h.cycle = observation_actions.create_cycle(
        None,
        c.putuo,
        title=P("observation.ObservationCycle", "title"),
        starts_on=today - datetime.timedelta(days=30),
        ends_on=today + datetime.timedelta(days=30),
    )
    visit = ObservationVisit.objects.get(cycle=h.cycle, host=c.branch1)
    visit = observation_actions.reschedule_visit(
        None, visit, day=today, reason=P("observation.VisitEvent", "note")
    )
    visit = observation_actions.hold_visit(
        None, visit, shown=P("observation.ObservationVisit", "shown")
    )
    observation_actions.submit_sheet(
        c.sibling_secretary,
        visit,
        values={"listen": 18, "look": 17, "records": 16, "talk": 19, "evaluate": 18},
        comment=P("observation.ScoreSheet", "comment"),
    )
    visit = observation_actions.finish_scoring(None, visit)
    h.visit = observation_actions.close_visit(
        None, visit, feedback=P("observation.ObservationVisit", "feedback")
    )
    deadline = today + datetime.timedelta(days=10)
    h.rectification = observation_actions.add_rectification(
        None,
        h.visit,
        title=P("observation.Rectification", "title"),
        owner=c.branch_secretary_person,
        deadline=deadline,
        detail=P("observation.Rectification", "detail"),
    )
    observation_actions.close_rectification(
        c.branch_secretary,
        h.rectification,
        note=P("observation.Rectification", "evidence_note"),
        files=[_pdf_upload(P("observation.RectificationFile", "name"))],
    )
    h.reopened = observation_actions.add_rectification(
        None, h.visit, title="台账补齐", owner=c.branch_secretary_person, deadline=deadline
    )
    observation_actions.close_rectification(c.branch_secretary, h.reopened, note="已补齐")
    observation_actions.reopen_rectification(
        None, h.reopened, reason=P("observation.RectificationEvent", "note")
    )


def _build_rating(h: Any, today: datetime.date) -> None:  # noqa: PLR0915 - one world
    """Rating: the Putuo party group's standard (a category, two judged criteria, a veto
    item) and this year's round over its two branches. Branch 1 writes its notes and summary,
    attaches a file, submits, is sent back with a reason, submits again; the reviewer adjusts
    a criterion with a reason, finds the veto and writes a note; branch 2 is reviewed as is.
    On notice, branch 2's secretary objects to branch 1's stars; the objection is upheld with
    an answer, the round reopens with a reason, goes on notice again and is published; then
    branch 2's stars are lowered by a recorded decision."""
    c = h.c
    h.standard = rating_standards.create_standard(
        None,
        c.putuo,
        year=today.year,
        title=P("rating.RatingStandard", "title"),
        description=P("rating.RatingStandard", "description"),
        categories=[
            {
                "name": P("rating.StandardCategory", "name"),
                "criteria": [
                    {
                        "code": P("rating.Criterion", "code"),
                        "title": P("rating.Criterion", "title"),
                        "description": P("rating.Criterion", "description"),
                        "evidence_hint": P("rating.Criterion", "evidence_hint"),
                        "points": "50",
                        "method": "judged",
                    },
                    {"title": "服务群众成效", "points": "50", "method": "judged"},
                ],
            }
        ],
        vetoes=[
            {
                "title": P("rating.VetoItem", "title"),
                "description": P("rating.VetoItem", "description"),
                "cap_stars": 4,
            }
        ],
    )
    h.rating_round = rating_rounds.open_round(
        None,
        c.putuo,
        h.standard,
        year=today.year,
        title=P("rating.RatingRound", "title"),
        self_due=today + datetime.timedelta(days=10),
    )
    a1 = h.rating_round.assessments.get(org=c.branch1)
    a2 = h.rating_round.assessments.get(org=c.branch2)
    first, second = assessment_rows(a1)
    a1 = rating_self.save_self(
        c.branch_secretary,
        a1,
        rows={
            first.pk: {"points": "45", "note": P("rating.CriterionScore", "self_note")},
            second.pk: {"points": "40", "note": "按时完成"},
        },
        summary=P("rating.Assessment", "self_summary"),
        version=a1.version,
    )
    h.score_file = rating_self.add_file(
        c.branch_secretary,
        first,
        _pdf_upload(P("rating.ScoreFile", "name")),
        version=a1.version,
    )
    a1.refresh_from_db()
    a1 = rating_self.submit(c.branch_secretary, a1, version=a1.version)
    a1 = rating_review.return_to_branch(
        c.bureau_secretary, a1, reason=P("rating.AssessmentEvent", "note"), version=a1.version
    )
    a1 = rating_self.submit(c.branch_secretary, a1, version=a1.version)
    a2 = rating_self.save_self(
        c.sibling_secretary,
        a2,
        rows={r.pk: {"points": "48"} for r in assessment_rows(a2)},
        version=a2.version,
    )
    a2 = rating_self.submit(c.sibling_secretary, a2, version=a2.version)
    review_rows = {
        first.pk: {"points": "40", "reason": P("rating.CriterionScore", "review_reason")}
    }
    veto = h.standard.vetoes.get()
    vetoes = [{"veto_id": veto.pk, "reason": P("rating.VetoFinding", "reason")}]
    a1 = rating_review.review(
        c.bureau_secretary,
        a1,
        rows=review_rows,
        vetoes=vetoes,
        note=P("rating.Assessment", "review_note"),
        version=a1.version,
    )
    a2 = rating_review.review(c.bureau_secretary, a2, version=a2.version)
    rating_review.start_publicity(c.bureau_secretary, h.rating_round, starts_on=today)
    a1.refresh_from_db()
    h.objection = rating_review.raise_objection(
        c.sibling_secretary, a1, text=P("rating.Objection", "text"), today=today
    )
    rating_review.answer_objection(
        c.bureau_secretary, h.objection, status="upheld", answer=P("rating.Objection", "answer")
    )
    rating_review.reopen(c.bureau_secretary, h.rating_round, reason=P("rating.RoundEvent", "note"))
    h.rating_round = rating_review.start_publicity(
        c.bureau_secretary, h.rating_round, starts_on=today
    )
    h.rating_round = rating_review.publish(
        c.bureau_secretary,
        h.rating_round,
        today=h.rating_round.publicity_ends + datetime.timedelta(days=1),
    )
    a1.refresh_from_db()
    a2.refresh_from_db()
    h.assessment, h.assessment2 = a1, a2
    h.star_change = rating_review.change_stars(
        c.bureau_secretary,
        a2,
        to_stars=(a2.current_stars or 1) - 1,
        reason=P("rating.StarChange", "reason"),
        decision_ref=P("rating.StarChange", "decision_ref"),
        decided_on=today,
    )
    h.assessment2.refresh_from_db()


def _build_honours(h: Any, today: datetime.date) -> None:
    """Honours: the Putuo party group's honour for branches; this year's call nominates both
    branches (branch 2 withdrawn with a note and nominated again), accepts them (branch 1 with
    a reason), confers and publishes; both honours are then revoked by a recorded decision."""
    c = h.c
    h.honour_kind = honour_actions.create_kind(
        None,
        org=c.putuo,
        name=P("honours.HonourKind", "name"),
        code="HOSTILE",
        target=Target.ORG,
        description=P("honours.HonourKind", "description"),
        criteria=P("honours.HonourKind", "criteria"),
        default_quota=5,
    )
    call = honour_actions.open_call(
        None, h.honour_kind, year=today.year, nominate_until=today + datetime.timedelta(days=5)
    )
    h.nomination = honour_actions.nominate(
        c.bureau_secretary,
        call,
        nominator=c.putuo,
        reason=P("honours.Nomination", "reason"),
        nominee_org=c.branch1,
    )
    withdrawn = honour_actions.nominate(
        c.bureau_secretary, call, nominator=c.putuo, reason="组织生活规范", nominee_org=c.branch2
    )
    honour_actions.withdraw(
        c.bureau_secretary, withdrawn, note=P("honours.NominationEvent", "note")
    )
    again = honour_actions.nominate(
        c.bureau_secretary, call, nominator=c.putuo, reason="组织生活规范", nominee_org=c.branch2
    )
    honour_actions.review(
        c.bureau_secretary,
        h.nomination,
        accept=True,
        reason=P("honours.Nomination", "review_reason"),
    )
    honour_actions.review(c.bureau_secretary, again, accept=True)
    call = honour_actions.close_nominations(c.bureau_secretary, call)
    call = honour_actions.confer(c.bureau_secretary, call, conferred_on=today)
    h.honour_call = honour_actions.publish(c.bureau_secretary, call)
    h.honour = Honour.objects.get(call=call, org=c.branch1)
    h.honour2 = Honour.objects.get(call=call, org=c.branch2)
    honour_actions.revoke(
        c.bureau_secretary,
        h.honour,
        reason=P("honours.Honour", "revoke_reason"),
        decision_ref=P("honours.Honour", "decision_ref"),
    )
    honour_actions.revoke(
        c.bureau_secretary,
        h.honour2,
        reason=P("honours.HonourEvent", "note"),
        decision_ref="普组〔2026〕3号",
    )


def _pdf_upload(name: str = "材料.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n%hostile\n", content_type="application/pdf")


def _build_meetings(h: Any, today: datetime.date) -> None:  # noqa: PLR0915 - one world
    """Meetings and news: yesterday's party lecture of branch 1 in a series (two parts, a
    guest signed in on their behalf, a member on leave who made it up, minutes confirmed,
    revised and confirmed again), a meeting cancelled and one planned for tomorrow; news
    drafted from the lecture and written by hand, published, returned, withdrawn."""
    c = h.c
    secretary = c.branch_secretary
    c.member = org_actions.create_account(
        None, c.member_person, "member", PASSWORD, validate_password=False
    )

    def when(day: datetime.date, hour: int) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))

    yesterday = today - datetime.timedelta(days=1)
    tomorrow = today + datetime.timedelta(days=1)
    h.series = meeting_plan.create_series(
        secretary,
        c.branch1,
        name=P("meetings.MeetingSeries", "name"),
        number_format=P("meetings.MeetingSeries", "number_format"),
    )
    parts = [
        meeting_plan.PartSpec(
            title=P("meetings.MeetingPart", "title"),
            presider=c.branch_secretary_person,
            agenda=[(P("meetings.AgendaItem", "title"), P("meetings.AgendaItem", "presenter"))],
        ),
        meeting_plan.PartSpec(
            title="第二阶段",
            presider_name=P("meetings.MeetingPart", "presider_name"),
            agenda=[("学习交流", "")],
        ),
    ]
    h.meeting = meeting_plan.plan_meeting(
        secretary,
        c.branch1,
        kind=MeetingKind.PARTY_LECTURE,
        title="党课",
        starts_at=when(yesterday, 14),
        ends_at=when(yesterday, 16),
        place="党员活动室",
        parts=[meeting_plan.PartSpec(title="第一阶段", agenda=[("议程", "")])],
        invitees=[
            meeting_plan.Invitee(
                category=Attendee.Category.TAKE_PART,
                name=P("meetings.Attendee", "name"),
                affiliation=P("meetings.Attendee", "affiliation"),
            )
        ],
        series=h.series,
    )
    # Everything typed again through the change of a planned meeting.
    h.meeting = meeting_plan.update_meeting(
        secretary,
        h.meeting,
        parts=parts,
        title=P("meetings.Meeting", "title"),
        place=P("meetings.Meeting", "place"),
        description=P("meetings.Meeting", "description"),
    )
    h.document = meeting_plan.add_document(
        secretary, h.meeting, upload=_pdf_upload(), title=P("meetings.MeetingDocument", "title")
    )
    rows = {a.person_id: a for a in h.meeting.attendees.all()}
    h.guest = h.meeting.attendees.get(person=None)
    meeting_attendance.proxy_sign_in(
        secretary, h.guest, reason=P("meetings.Attendee", "proxy_reason")
    )
    meeting_attendance.record_leave(
        secretary, rows[c.member_person.pk], reason=P("meetings.Attendee", "leave_reason")
    )
    minutes = meeting_minutes.start_minutes(secretary, h.meeting)
    items = list(minutes.items.order_by("order"))
    meeting_minutes.save_minutes(
        secretary,
        minutes,
        summary=P("meetings.Minutes", "summary"),
        items=[
            {
                "id": item.pk,
                "title": P("meetings.MinutesItem", "title") if n == 0 else item.title,
                "summary": P("meetings.MinutesItem", "summary"),
                "speakers": P("meetings.MinutesItem", "speakers"),
            }
            for n, item in enumerate(items)
        ],
        resolutions=[
            {
                "item": 1,
                "text": P("meetings.Resolution", "text"),
                "owner": c.member_person.pk,
                "due_on": today + datetime.timedelta(days=30),
            }
        ],
    )
    meeting_minutes.add_minutes_document(
        secretary,
        minutes,
        upload=_pdf_upload("记录.pdf"),
        title=P("meetings.MeetingDocument", "title"),
    )
    meeting_minutes.confirm_minutes(secretary, minutes)
    revised = meeting_minutes.revise_minutes(
        secretary, h.meeting, reason=P("meetings.Minutes", "change_reason")
    )
    meeting_minutes.confirm_minutes(secretary, revised)
    h.make_up = MakeUp.objects.get(meeting=h.meeting, person=c.member_person)
    meeting_minutes.submit_make_up(
        c.member, h.make_up, way=MakeUp.Way.NOTE, note=P("meetings.MakeUp", "note")
    )
    h.cancelled = meeting_plan.plan_meeting(
        secretary,
        c.branch1,
        kind=MeetingKind.BRANCH_COMMITTEE,
        title="支委会",
        starts_at=when(tomorrow, 9),
        ends_at=when(tomorrow, 10),
    )
    meeting_plan.cancel_meeting(
        secretary, h.cancelled, reason=P("meetings.Meeting", "cancel_reason")
    )
    h.upcoming = meeting_plan.plan_meeting(
        secretary,
        c.branch1,
        kind=MeetingKind.BRANCH_ASSEMBLY,
        title=P("meetings.Meeting", "title"),
        starts_at=when(tomorrow, 14),
        ends_at=when(tomorrow, 16),
        place=P("meetings.Meeting", "place"),
        description=P("meetings.Meeting", "description"),
        parts=parts,
    )
    h.feed = meeting_plan.create_feed(c.member, c.member)
    h.meeting.refresh_from_db()

    # news: the lecture's draft and a hand-written item published (the latter returned once),
    # one withdrawn, one left a draft; the branch's news page is public.
    reviewer = c.bureau_secretary
    h.drafted = publicity.draft_from_meeting(secretary, h.meeting)
    title, summary, body = (P("news.NewsItem", f) for f in ("title", "summary", "body"))
    h.news = news_actions.create_item(
        secretary, c.branch1, title=title, summary=summary, body=f"{body}\n\n{body}"
    )
    news_actions.submit_item(secretary, h.news)
    news_actions.return_item(reviewer, h.news, reason=P("news.NewsItem", "reason"))
    news_actions.submit_item(secretary, h.news)
    news_actions.approve_item(reviewer, h.news)
    news_actions.submit_item(secretary, h.drafted)
    news_actions.approve_item(reviewer, h.drafted)
    h.withdrawn = news_actions.create_item(secretary, c.branch1, title="撤下的新闻")
    news_actions.submit_item(secretary, h.withdrawn)
    news_actions.approve_item(reviewer, h.withdrawn)
    news_actions.withdraw_item(secretary, h.withdrawn, reason=P("news.NewsItem", "reason"))
    h.news_draft = news_actions.create_item(
        secretary, c.branch1, title=title, summary=summary, body=body
    )
    news_actions.set_public(secretary, c.branch1, public=True)


def test_it_stores_every_payload_unchanged(hostile):  # type: ignore[no-untyped-def]
    for key in COVERED:
        model = apps.get_model(key[0])
        assert model.objects.filter(**{key[1]: P(*key)}).exists(), key
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
    assert {"cases_case", "orgs_person", "letters_letter"} <= tables
    assert Case.objects.filter(title=P("cases.Case", "title")).count() == 1
    # The system's copies carry the payload too (and are rendered by the pages below).
    assert Notification.objects.filter(text__contains='"T14")<script>').exists()
    assert Delivery.objects.filter(title__contains='"T14")<script>').exists()
    # The news drafted from the lecture copies the minutes as typed, and names nobody who
    # stayed away (the member on leave).
    drafted = hostile.drafted
    for key in (
        ("meetings.Minutes", "summary"),
        ("meetings.MinutesItem", "summary"),
        ("meetings.Resolution", "text"),
    ):
        assert P(*key) in drafted.body, key
    assert hostile.c.member_person.name not in drafted.title + drafted.summary + drafted.body


# --- Pages ------------------------------------------------------------------------------------


def _pages(h: Any) -> dict[str, list[str]]:
    """Every page that shows the hostile objects, by the user who reads it."""
    c = h.c
    letter_pages = [
        "/letters/",
        "/letters/templates/",
        f"/letters/templates/{h.template.pk}/",
        f"/letters/templates/{h.template.pk}/compare/",
        f"/letters/templates/items/{h.template.items.get().pk}/",
        f"/letters/{h.letter.pk}/",
        f"/letters/{h.letter.pk}/evidence/",
        f"/letters/{h.letter.pk}/assessment/",
        f"/letters/items/{h.letter_item.pk}/",
    ]
    duty_pages = [
        "/duties/",
        f"/duties/orgs/{c.branch1.pk}/",
        f"/duties/orgs/{c.putuo.pk}/",
        "/duties/lists/",
        f"/duties/lists/{h.duty_list.pk}/",
        f"/duties/lists/{h.duty_list.pk}/edit/",
        f"/duties/posts/{h.duty_post.pk}/edit/",
        f"/duties/items/{h.duty.pk}/edit/",
    ]
    m, up = h.meeting.pk, h.upcoming.pk
    meeting_pages = [
        "/meetings/",
        f"/meetings/?org={c.branch1.pk}",
        f"/meetings/{m}/",
        f"/meetings/{h.cancelled.pk}/",
        f"/meetings/{up}/",
        f"/meetings/{up}/edit/",
        f"/meetings/{up}/signin/",
        f"/meetings/{up}/signin/print/",
        f"/meetings/{m}/attendance/",
        f"/meetings/{m}/minutes/",
        f"/meetings/{m}/minutes/v1/",
        f"/meetings/{m}/minutes/v2/",
        f"/meetings/{m}/minutes/card/",
        f"/meetings/{m}/publicity/",
        "/meetings/makeups/",
        f"/meetings/makeups/{h.make_up.pk}/",
        f"/meetings/compliance/?org={c.branch1.pk}",
    ]
    news_pages = [
        "/news/",
        f"/news/?q={quote(XSS)}",
        f"/news/{h.news.pk}/",
        f"/news/{h.drafted.pk}/",
        f"/news/{h.withdrawn.pk}/",
        f"/news/{h.news_draft.pk}/",
        f"/news/{h.news_draft.pk}/edit/",
        f"/news/org/{c.branch1.pk}/",
    ]
    r, a1, a2 = h.rating_round.pk, h.assessment.pk, h.assessment2.pk
    rating_pages = [
        "/rating/standards/",
        f"/rating/standards/{h.standard.pk}/",
        "/rating/rounds/",
        f"/rating/rounds/{r}/",
        f"/rating/rounds/{r}/publicity/",
        f"/rating/rounds/{r}/results/",
        f"/rating/assessments/{a1}/",
        f"/rating/assessments/{a1}/review/",
        f"/rating/assessments/{a2}/",
        f"/rating/assessments/{a2}/review/",
        f"/rating/branches/{c.branch1.pk}/history/",
        f"/rating/branches/{c.branch2.pk}/history/",
    ]
    honour_pages = [
        "/honours/",
        f"/honours/calls/{h.honour_call.pk}/",
        "/honours/list/",
        f"/honours/{h.honour.pk}/",
        f"/honours/{h.honour2.pk}/",
    ]
    return {
        "district_admin": [
            "/",
            "/cases/",
            f"/cases/?q={h.case.number}",
            f"/cases/{h.case.pk}/",
            f"/cases/{h.inspection_case.pk}/",
            "/cases/map/",
            "/points/",
            f"/points/{h.point.pk}/",
            f"/calendar/?year={h.holiday.year}",
            "/plan/",
            "/notifications/",
            "/dashboard/",
            "/bulletins/",
            f"/bulletins/{h.bulletin.pk}/",
            "/rankings/",
            f"/rankings/district/{c.huangpu.pk}/",
            f"/rankings/district/{c.huangpu.pk}/?week={h.week}",
            "/areas/",
            f"/areas/{c.mengxi.pk}/",
            f"/areas/{c.dapuqiao.pk}/",
            f"/units/{c.property_co.pk}/",
            "/people/",
            "/audit/",
            "/notify/channels/",
            f"/notify/area/{c.dapuqiao.pk}/channels/",
            f"/notify/area/{c.dapuqiao.pk}/deliveries/",
            f"/notify/channels/{h.channel.pk}/edit/",
            f"/areas/{c.mengxi.pk}/edit/",
            f"/areas/{c.dapuqiao.pk}/children/",
            f"/units/options/?q=&selected={c.property_co.pk}",
            f"/bulletins/{h.bulletin.pk}/cases/{next(iter(EVENT_FIGURES))}/",
            # the hostile text typed into the search boxes comes back escaped too
            *(f"{url}?q={quote(XSS)}" for url in ("/cases/", "/points/", "/people/", "/areas/")),
        ],
        "street_officer": ["/", f"/bulletins/{h.bulletin.pk}/", "/notifications/", "/cases/"],
        "inspector": ["/m/", f"/m/points/{h.point.pk}/inspect/", f"/m/cases/{h.case.pk}/"],
        "grid_worker": ["/m/", "/m/report/"],
        "unit_staff": ["/m/", f"/m/cases/{h.case.pk}/", "/notifications/"],
        "bureau_secretary": [
            "/",
            *letter_pages,
            *duty_pages,
            "/orgs/",
            f"/orgs/{c.branch1.pk}/",
            f"/orgs/{c.putuo.pk}/",
            f"/orgs/{h.moved.pk}/",
            f"/orgs/{c.group1.pk}/",  # the post's certificate (the audit's first page moves on)
            f"/orgs/{c.putuo.pk}/children/",
            f"/orgs/?q={quote(XSS)}",
            "/people/",
            f"/people/{c.branch_secretary_person.pk}/",
            f"/people/{c.member_person.pk}/",
            f"/people/{c.branch_secretary_person.pk}/edit/",
            f"/orgs/{c.branch1.pk}/edit/",
            f"/letters/templates/{h.template.pk}/session/",
            f"/letters/{h.letter.pk}/sign/",
            "/audit/",
            f"/meetings/compliance/?org={c.putuo.pk}",
            "/meetings/compliance/rules/",
            f"/meetings/{h.meeting.pk}/",
            "/news/",
            f"/news/{h.news.pk}/",
            "/notifications/",
            "/observation/",
            f"/observation/cycles/{h.cycle.pk}/",
            f"/observation/visits/{h.visit.pk}/",
            f"/observation/rectifications/{h.rectification.pk}/",
            f"/observation/rectifications/{h.reopened.pk}/",
            *rating_pages,
            *honour_pages,
        ],
        "branch_secretary": [
            "/",
            *letter_pages[:1],
            *letter_pages[5:8],
            "/duties/",
            f"/duties/orgs/{c.branch1.pk}/",
            *meeting_pages,
            *news_pages,
            "/meetings/new/",
            "/audit/",
            "/m/observation/",
            f"/m/observation/rectifications/{h.rectification.pk}/",
            f"/m/observation/rectifications/{h.reopened.pk}/",
            "/rating/my/",
            f"/rating/assessments/{h.assessment.pk}/",
            "/honours/list/",
            f"/honours/{h.honour.pk}/",
        ],
        "member": [
            "/",
            "/m/meetings/",
            f"/m/meetings/{up}/leave/",
            f"/m/meetings/sign/?c={quote(signin.print_code(h.upcoming))}",
            "/meetings/mine/",
            f"/meetings/{m}/",
            f"/meetings/{m}/minutes/",
            "/meetings/makeups/",
            f"/meetings/makeups/{h.make_up.pk}/",
            "/notifications/",
            f"/news/{h.news.pk}/",
            f"/news/org/{c.branch1.pk}/",
        ],
        "platform_admin": [
            "/orgs/",
            f"/orgs/{c.branch1.pk}/",
            "/people/",
            f"/units/{c.property_co.pk}/",
            *(
                f"/admin/{model}/"
                for model in (
                    "orgs/unit",
                    "orgs/partyorg",
                    "orgs/area",
                    "orgs/person",
                    "orgs/post",
                    "orgs/treechange",
                    "core/auditlog",
                    "cases/pointcategory",
                    "cases/casecategory",
                    "cases/calendarday",
                    "cases/point",
                    "cases/case",
                    "cases/caseevent",
                )
            ),
            f"/admin/orgs/person/{c.branch_secretary_person.pk}/change/",
            f"/admin/cases/case/{h.case.pk}/change/",
        ],
    }


def test_it_shows_every_payload_as_text_on_the_pages(client, hostile):  # type: ignore[no-untyped-def]
    seen = []
    for username, urls in _pages(hostile).items():
        client.force_login(getattr(hostile.c, username))
        for url in urls:
            response = client.get(url, follow=True)
            assert response.status_code == 200, (username, url, response.status_code)
            html = response.content.decode()
            for raw in RAW:
                assert raw not in html, (username, url, raw)
            seen.append(html)
    # The year's summaries show only in the open assessment form: reopen it for each side
    # (test set-up: the test's savepoint rolls the status back).
    for status, username in (("signed", "branch_secretary"), ("self_assessed", "bureau_secretary")):
        Letter.objects.filter(pk=hostile.letter.pk).update(status=status)
        client.force_login(getattr(hostile.c, username))
        html = client.get(f"/letters/{hostile.letter.pk}/assessment/").content.decode()
        assert not any(raw in html for raw in RAW)
        seen.append(html)
    # Open311 answers the public: its XML escapes the names, its JSON carries them as data.
    client.logout()
    xml = client.get("/open311/v2/services.xml").content.decode()
    assert not any(raw in xml for raw in RAW)
    assert xml_escape(P("cases.CaseCategory", "name")) in xml
    services = client.get("/open311/v2/services.json")
    assert services["Content-Type"].startswith("application/json")
    assert P("cases.CaseCategory", "name") in {s["service_name"] for s in services.json()}
    # The case marked public: its public reply is the status note, as data or escaped.
    xml = client.get(f"/open311/v2/requests/{hostile.case.number}.xml").content.decode()
    assert not any(raw in xml for raw in RAW)
    assert xml_escape(P("cases.Case", "public_reply")) in xml
    reply = client.get(f"/open311/v2/requests/{hostile.case.number}.json").json()[0]
    assert reply["status_notes"] == P("cases.Case", "public_reply")
    # The branch's public news page, read without signing in.
    for url in (f"/news/org/{hostile.c.branch1.pk}/", f"/news/{hostile.news.pk}/"):
        html = client.get(url).content.decode()
        assert not any(raw in html for raw in RAW), url
        assert escaped_marker(("news.NewsItem", "title")) in html, url
    everything = "\n".join(seen)
    missing = [key for key in COVERED if escaped_marker(key) not in everything]
    assert missing == []


# --- PDFs and workbooks ---------------------------------------------------------------------------


def _pdf_text(data: bytes, tmp_path: Any) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    return subprocess.run(  # noqa: S603 - fixed arguments
        ["pdftotext", "-raw", str(path), "-"],  # noqa: S607
        capture_output=True,
        check=True,
        text=True,
    ).stdout


def test_it_prints_the_payloads_as_text_in_the_pdfs(client, hostile, settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = hostile.media  # the signatures drawn when the world was built
    c, h = hostile.c, hostile
    pdfs = {
        ("street_officer", f"/bulletins/{h.bulletin.pk}/bulletin.pdf"): [
            ("bulletins.Bulletin", "notes"),
        ],
        ("district_admin", f"/rankings/{h.ranking.pk}/ranking.pdf"): [
            ("orgs.Unit", "name"),
            ("orgs.Area", "name"),
        ],
        ("bureau_secretary", f"/letters/{h.letter.pk}/pdf/"): [
            ("letters.Letter", "title"),
            ("letters.LetterItem", "content"),
            ("orgs.PartyOrg", "name"),
        ],
        ("bureau_secretary", f"/letters/templates/{h.template.pk}/compare/?format=pdf"): [
            ("orgs.PartyOrg", "name"),
        ],
        ("bureau_secretary", f"/duties/orgs/{c.putuo.pk}/pdf/"): [
            ("duties.Duty", "text"),
            ("duties.DutyPost", "title"),
        ],
        # the record of the lecture in the usual layout
        ("branch_secretary", f"/meetings/{h.meeting.pk}/minutes.pdf"): [
            ("orgs.PartyOrg", "name"),
            ("meetings.Meeting", "title"),
            ("meetings.Meeting", "place"),
            ("meetings.MeetingPart", "title"),
            ("meetings.MeetingPart", "presider_name"),
            ("meetings.Attendee", "name"),
            ("meetings.Attendee", "affiliation"),
            ("meetings.Attendee", "leave_reason"),
            ("meetings.Minutes", "summary"),
            ("meetings.Minutes", "change_reason"),
            ("meetings.MinutesItem", "title"),
            ("meetings.MinutesItem", "summary"),
            ("meetings.MinutesItem", "speakers"),
            ("meetings.Resolution", "text"),
        ],
        ("bureau_secretary", f"/rating/assessments/{h.assessment.pk}/export.pdf"): [
            ("orgs.PartyOrg", "name"),
            ("rating.RatingRound", "title"),
            ("rating.RatingStandard", "title"),
            ("rating.StandardCategory", "name"),
            ("rating.Criterion", "title"),
            ("rating.CriterionScore", "self_note"),
            ("rating.Assessment", "review_note"),
            ("rating.VetoItem", "title"),
            ("rating.VetoFinding", "reason"),
        ],
        # the star change of branch 2 is printed with its decision
        ("bureau_secretary", f"/rating/assessments/{h.assessment2.pk}/export.pdf"): [
            ("rating.RatingRound", "title"),
            ("rating.RatingStandard", "title"),
            ("rating.StandardCategory", "name"),
            ("rating.Criterion", "title"),
            ("rating.StarChange", "reason"),
            ("rating.StarChange", "decision_ref"),
        ],
        ("bureau_secretary", f"/rating/rounds/{h.rating_round.pk}/results/export.pdf"): [
            ("orgs.PartyOrg", "name"),
            ("rating.RatingRound", "title"),
            ("rating.RatingStandard", "title"),
            ("rating.StandardCategory", "name"),
            ("rating.VetoItem", "title"),
        ],
        ("bureau_secretary", f"/honours/{h.honour.pk}/certificate.pdf"): [
            ("orgs.PartyOrg", "name"),
            ("honours.HonourKind", "name"),
        ],
    }
    for (username, url), keys in pdfs.items():
        client.force_login(getattr(c, username))
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Type"] == "application/pdf", url
        text = re.sub(r"\s+", "", _pdf_text(response.content, tmp_path))
        for key in keys:
            # The marker and the tag print as characters: the text was escaped, not parsed.
            marker = re.sub(r"\s+", "", P(*key)[: P(*key).index("<script>") + 14])
            assert marker in text, (
                url,
                key,
                text[text.find(COVERED[key]) - 60 : text.find(COVERED[key]) + 80],
            )


def _strings(data: bytes) -> list[tuple[str, str]]:
    book = load_workbook(io.BytesIO(data))
    return [
        (cell.value, cell.data_type)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and ("<script>" in cell.value or "HYPERLINK" in cell.value)
    ]


def test_it_keeps_every_payload_inert_in_the_workbooks(
    client, hostile, django_capture_on_commit_callbacks
):  # type: ignore[no-untyped-def]
    c, h = hostile.c, hostile
    client.force_login(c.street_officer)
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post("/cases/export/")
    job = started.url.rstrip("/").rsplit("/", 1)[-1]
    workbooks = {
        ("street_officer", f"/cases/export/{job}/download/"): [
            ("cases.Case", "title"),
            ("cases.Case", "description"),
            ("cases.Point", "name"),
            ("cases.CaseCategory", "name"),
            ("orgs.Unit", "name"),
        ],
        ("street_officer", f"/bulletins/{h.bulletin.pk}/bulletin.xlsx"): [
            ("bulletins.Bulletin", "notes"),
        ],
        ("district_admin", "/points/export.xlsx"): [
            ("cases.Point", "name"),
            ("orgs.Unit", "name"),
        ],
        ("district_admin", f"/rankings/{h.ranking.pk}/ranking.xlsx"): [
            ("orgs.Unit", "name"),
            ("orgs.Area", "name"),
        ],
        ("bureau_secretary", f"/letters/templates/{h.template.pk}/compare/?format=xlsx"): [
            ("orgs.PartyOrg", "name"),
        ],
        # the branch's own chain: its hostile name heads the captions
        ("branch_secretary", f"/duties/orgs/{c.branch1.pk}/xlsx/"): [
            ("orgs.PartyOrg", "name"),
            ("duties.Duty", "text"),
        ],
        # the subtree's compliance: the branch's name heads its row
        ("bureau_secretary", f"/meetings/compliance/export.xlsx?org={c.putuo.pk}"): [
            ("orgs.PartyOrg", "name"),
        ],
        ("branch_secretary", f"/meetings/compliance/export.xlsx?org={c.branch1.pk}"): [
            ("orgs.PartyOrg", "name"),
        ],
        # the standard's category names head columns: typed text in the header row too
        ("bureau_secretary", f"/rating/rounds/{h.rating_round.pk}/results/export.xlsx"): [
            ("orgs.PartyOrg", "name"),
            ("rating.StandardCategory", "name"),
            ("rating.VetoItem", "title"),
        ],
        ("bureau_secretary", f"/duties/orgs/{c.putuo.pk}/xlsx/"): [
            ("duties.Duty", "text"),
            ("duties.Duty", "frequency"),
            ("duties.DutyPost", "title"),
            ("orgs.PartyOrg", "name"),
            ("orgs.Person", "name"),
        ],
    }
    for (username, url), keys in workbooks.items():
        client.force_login(getattr(c, username))
        response = client.get(url)
        assert response.status_code == 200, url
        data = b"".join(response.streaming_content) if response.streaming else response.content
        cells = _strings(data)
        for value, kind in cells:
            assert kind == "s", (url, value)
            assert not value.startswith(("=", "+", "-", "@")), (url, value)
        values = [value for value, _kind in cells]
        for key in keys:
            assert any(v == "'" + P(*key) or v.startswith("'" + P(*key)) for v in values), (
                url,
                key,
            )


# --- Feeds: Atom and iCalendar -------------------------------------------------------------------

ATOM = "{http://www.w3.org/2005/Atom}"


def test_it_keeps_the_payloads_text_in_the_atom_feed(client, hostile):  # type: ignore[no-untyped-def]
    """Read by anyone (the branch's news is public): titles are Atom text, the summaries
    Atom HTML whose every paragraph was escaped, so a feed reader shows the tags as text."""
    h = hostile
    response = client.get(f"/news/org/{h.c.branch1.pk}/atom.xml")
    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)  # noqa: S314 - our own response
    entries = {e.findtext(f"{ATOM}title"): e for e in root.iter(f"{ATOM}entry")}
    assert set(entries) == {h.news.title, h.drafted.title}  # no draft, nothing withdrawn
    assert P("news.NewsItem", "title") in entries
    for entry in entries.values():
        title = entry.find(f"{ATOM}title")
        assert title is not None and title.get("type", "text") == "text"
        summary = entry.find(f"{ATOM}summary")
        assert summary is not None and summary.get("type") == "html"
        html = summary.text or ""
        assert not any(raw in html for raw in RAW)
    html = entries[P("news.NewsItem", "title")].findtext(f"{ATOM}summary") or ""
    for key in (("news.NewsItem", "summary"), ("news.NewsItem", "body")):
        assert f"<p>{escape(P(*key))}</p>" in html, key
    # The draft made from the lecture carries the minutes' text, escaped the same way.
    html = entries[h.drafted.title].findtext(f"{ATOM}summary") or ""
    for key in (("meetings.MinutesItem", "summary"), ("meetings.Resolution", "text")):
        assert escaped_marker(key) in html, key


def _unfolded(data: bytes) -> list[str]:
    """The content lines of an iCalendar text (RFC 5545 3.1: a CRLF and a space or tab
    continue the line before)."""
    return re.sub(r"\r\n[ \t]", "", data.decode()).split("\r\n")


def test_it_escapes_the_payloads_in_the_calendar_feed(client, hostile):  # type: ignore[no-untyped-def]
    """The member's private feed: each meeting's text stays inside its own property; line
    breaks typed into a title or the notes cannot start a property or an event."""
    c, h = hostile.c, hostile
    injected = "议题\r\nATTENDEE:mailto:evil@example.com\r\nEND:VEVENT\r\nBEGIN:VEVENT"
    notes = f"{P('meetings.Meeting', 'description')}\nBEGIN:VALARM\nACTION:AUDIO\n;X=1,2"
    meeting_plan.update_meeting(c.branch_secretary, h.upcoming, title=injected, description=notes)
    response = client.get(f"/meetings/feed/{h.feed.token}.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    lines = _unfolded(response.content)
    names = [line.split(":", 1)[0].split(";", 1)[0] for line in lines if line]
    assert "ATTENDEE" not in names and "ACTION" not in names and "BEGIN:VALARM" not in lines
    assert lines.count("BEGIN:VEVENT") == lines.count("END:VEVENT") == 3
    events = {
        int(str(e["uid"]).split("@")[0].rsplit("-", 1)[-1]): e
        for e in icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    }
    assert set(events) == {h.meeting.pk, h.cancelled.pk, h.upcoming.pk}
    # The line breaks come back as text (a CRLF as "\n": icalendar writes both as "\\n").
    assert str(events[h.upcoming.pk]["summary"]) == injected.replace("\r\n", "\n")
    assert notes in str(events[h.upcoming.pk]["description"])
    lecture = events[h.meeting.pk]
    assert str(lecture["summary"]) == P("meetings.Meeting", "title")
    assert str(lecture["location"]) == P("meetings.Meeting", "place")
    for key in (("meetings.AgendaItem", "title"), ("orgs.PartyOrg", "name")):
        assert P(*key) in str(lecture["description"]), key
    assert P("meetings.Meeting", "cancel_reason") in str(events[h.cancelled.pk]["description"])


# --- The REST API -------------------------------------------------------------------------------


def _api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _texts(value: Any) -> set[str]:
    """Every string anywhere in a JSON answer."""
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return set().union(*(_texts(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_texts(v) for v in value)) if value else set()
    return set()


def _json(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    return response.json()


API_READS = {
    "bureau_secretary": [
        "/api/v1/orgs/",
        "/api/v1/people/",
        "/api/v1/posts/",
        "/api/v1/letters/{letter}/",
        "/api/v1/letters/{letter}/assessment/",
        "/api/v1/letter-items/?letter={letter}",
        "/api/v1/evidence/?letter={letter}",
        "/api/v1/duty-lists/{duty_list}/",
        "/api/v1/duty-chains/{branch1}/",
        "/api/v1/observation/cycles/{cycle}/",
        "/api/v1/observation/visits/{visit}/",
        "/api/v1/observation/rectifications/",
        "/api/v1/observation/rectifications/{rectification}/",
        "/api/v1/observation/rectifications/{reopened}/",
        "/api/v1/rating/standards/",
        "/api/v1/rating/standards/{standard}/",
        "/api/v1/rating/rounds/",
        "/api/v1/rating/rounds/{rating_round}/",
        "/api/v1/rating/rounds/{rating_round}/results/",
        "/api/v1/rating/assessments/",
        "/api/v1/rating/assessments/{assessment}/",
        "/api/v1/rating/assessments/{assessment2}/",
        "/api/v1/rating/assessments/{assessment}/objections/",
        "/api/v1/rating/branches/{branch1}/history/",
        "/api/v1/honours/kinds/",
        "/api/v1/honours/kinds/{honour_kind}/",
        "/api/v1/honours/calls/{honour_call}/",
        "/api/v1/honours/nominations/",
        "/api/v1/honours/nominations/{nomination}/",
        "/api/v1/honours/honours/",
        "/api/v1/honours/honours/{honour}/",
    ],
    "district_admin": [
        "/api/v1/units/",
        "/api/v1/areas/",
        "/api/v1/areas/{mengxi}/",
        "/api/v1/points/",
        "/api/v1/point-categories/",
        "/api/v1/case-categories/",
        "/api/v1/cases/",
        "/api/v1/cases/{case}/",
        "/api/v1/bulletins/{bulletin}/",
        "/api/v1/rankings/{ranking}/",
        "/api/v1/stats/summary/",
        "/api/v1/inspections/",
    ],
    "member": [
        "/api/v1/duties/mine/",
        "/api/v1/meetings/makeups/?mine=true",
        "/api/v1/meetings/{meeting}/",
    ],
    "branch_secretary": [
        "/api/v1/meetings/",
        "/api/v1/meetings/{meeting}/",
        "/api/v1/meetings/{cancelled}/",
        "/api/v1/meetings/{meeting}/attendees/",
        "/api/v1/meetings/{meeting}/minutes/",
        "/api/v1/meetings/compliance/?org={branch1}",
        "/api/v1/news/",
        "/api/v1/news/{news}/",
    ],
}


def test_it_answers_every_payload_unchanged_in_the_api(hostile):  # type: ignore[no-untyped-def]
    c, h = hostile.c, hostile
    ids = {
        "letter": h.letter.pk,
        "duty_list": h.duty_list.pk,
        "branch1": c.branch1.pk,
        "mengxi": c.mengxi.pk,
        "case": h.case.pk,
        "bulletin": h.bulletin.pk,
        "ranking": h.ranking.pk,
        "meeting": h.meeting.pk,
        "cancelled": h.cancelled.pk,
        "news": h.news.pk,
        "withdrawn": h.withdrawn.pk,
        "cycle": h.cycle.pk,
        "visit": h.visit.pk,
        "rectification": h.rectification.pk,
        "reopened": h.reopened.pk,
        "standard": h.standard.pk,
        "rating_round": h.rating_round.pk,
        "assessment": h.assessment.pk,
        "assessment2": h.assessment2.pk,
        "honour_kind": h.honour_kind.pk,
        "honour_call": h.honour_call.pk,
        "nomination": h.nomination.pk,
        "honour": h.honour.pk,
    }
    seen: set[str] = set()
    for username, urls in API_READS.items():
        user = getattr(c, username, None) or org_actions.create_account(
            None, c.member_person, username, PASSWORD, validate_password=False
        )
        for url in urls:
            response = _api(user).get(url.format(**ids))
            assert response.status_code == 200, (username, url, response.content[:300])
            seen |= _texts(_json(response))
    missing = {key for key in COVERED if P(*key) not in seen}
    assert sorted(missing - API_UNEXPOSED) == []  # not answered: expose it or list it below
    assert sorted(API_UNEXPOSED - missing) == []  # answered after all: take it off the list


# Fields the API does not carry at all (the pages show them).
API_UNEXPOSED = {
    ("cases.CalendarDay", "name"),
    ("cases.Case", "reporter_address"),  # the reporter's address stays in the office
    ("cases.Case", "reporter_phone"),  # the hotline caller's phone stays in the office
    ("letters.Letter", "review_remark"),
    ("letters.Letter", "self_remark"),
    ("letters.LetterEvent", "note"),
    ("letters.LetterTemplate", "preamble"),
    ("letters.LetterTemplate", "title"),
    ("notify.Channel", "name"),
    ("orgs.TreeChange", "note"),
    ("meetings.Attendee", "leave_reason"),  # the roster answers statuses, not reasons
    ("meetings.Attendee", "proxy_reason"),
    ("meetings.MeetingDocument", "title"),
    ("meetings.MeetingSeries", "number_format"),  # answered numbered (series_label)
    ("news.NewsItem", "reason"),  # the API answers published news only
    ("observation.VisitEvent", "note"),  # the API answers no history (the pages show it)
    ("observation.RectificationEvent", "note"),
    ("rating.AssessmentEvent", "note"),  # no history in the API (the pages show it)
    ("rating.RoundEvent", "note"),
    ("rating.Assessment", "review_note"),  # the assessment's answer has no review note
    ("rating.VetoFinding", "reason"),  # the results name the veto items, not the reasons
    ("honours.NominationEvent", "note"),  # no history in the API (the call's page shows it)
}


def test_it_takes_payloads_in_every_writable_api_text_field(hostile):  # type: ignore[no-untyped-def]
    """POST and PATCH the payloads; the answers and the rows hold them unchanged."""
    c, h = hostile.c, hostile
    long = _long("API")
    short = payload_for(60, "API")
    # cases: a report, a transition note, an inspection result note
    grid = _api(c.grid_worker)
    body = {"client_uuid": str(uuid.uuid4()), "category": h.case_category.pk, "area": c.grid1.pk}
    case = _json(
        grid.post("/api/v1/cases/", {**body, "title": long, "description": long}, format="json"),
        201,
    )
    assert (case["title"], case["description"]) == (long, long)
    officer = _api(c.street_officer)
    moved = _json(
        officer.post(
            f"/api/v1/cases/{case['id']}/transitions/",
            {"action": "accept", "note": long},
            format="json",
        )
    )
    assert long in _texts(moved)
    detail = _json(officer.get(f"/api/v1/cases/{case['id']}/"))
    assert [e["note"] for e in detail["timeline"]][-1] == long
    reply = payload_for(500, "API")
    published = _json(
        officer.post(
            f"/api/v1/cases/{case['id']}/publication/", {"public_reply": reply}, format="json"
        )
    )
    assert published["public_reply"] == reply
    inspection = _json(
        _api(c.inspector).post(
            "/api/v1/inspections/",
            {
                "client_uuid": str(uuid.uuid4()),
                "point": h.point.pk,
                "started_at": timezone.now().isoformat(),
                "results": [{"item": h.item.pk, "passed": True, "note": long}],
            },
            format="json",
        ),
        201,
    )
    assert [r["note"] for r in inspection["results"]] == [long]
    # duties: a list, a post and a duty, created and changed
    boss = _api(c.bureau_secretary)
    year = timezone.localdate().year + 1
    made = _json(
        boss.post(
            "/api/v1/duty-lists/",
            {"owner": c.putuo.pk, "year": year, "title": _long("L1")[:120], "note": long},
            format="json",
        ),
        201,
    )
    assert (made["title"], made["note"]) == (_long("L1")[:120], long)
    changed = _json(
        boss.patch(
            f"/api/v1/duty-lists/{made['id']}/",
            {"title": payload_for(120, "L2"), "note": _long("L3")},
            format="json",
        )
    )
    assert (changed["title"], changed["note"]) == (payload_for(120, "L2"), _long("L3"))
    post = _json(
        boss.post(
            "/api/v1/duty-posts/",
            {
                "duty_list": made["id"],
                "level": "branch",
                "post": DutyPostKind.SECRETARY.value,
                "title": short,
            },
            format="json",
        ),
        201,
    )
    assert post["title"] == short
    assert _json(
        boss.patch(
            f"/api/v1/duty-posts/{post['id']}/", {"title": payload_for(60, "AP2")}, format="json"
        )
    )["title"] == payload_for(60, "AP2")
    duty = _json(
        boss.post(
            "/api/v1/duties/",
            {"duty_post": post["id"], "text": long, "frequency": short},
            format="json",
        ),
        201,
    )
    assert (duty["text"], duty["frequency"]) == (long, short)
    duty = _json(
        boss.patch(
            f"/api/v1/duties/{duty['id']}/",
            {"text": _long("D2"), "frequency": payload_for(60, "D3")},
            format="json",
        )
    )
    assert (duty["text"], duty["frequency"]) == (_long("D2"), payload_for(60, "D3"))
    # letters: evidence, the self-assessment and the review (reopened: test set-up)
    Letter.objects.filter(pk=h.letter.pk).update(status="signed")
    receiver = _api(c.branch_secretary)
    items = [i.pk for i in h.letter.items.order_by("order")]
    evidence = _json(
        receiver.post(
            "/api/v1/evidence/",
            {"letter": h.letter.pk, "title": _long("E1"), "note": _long("E2"), "items": items},
            format="json",
        ),
        201,
    )
    assert (evidence["title"], evidence["note"]) == (_long("E1"), _long("E2"))
    scores = [{"item": pk, "score": "20", "remark": _long("S1")} for pk in items]
    assessed = _json(
        receiver.post(
            f"/api/v1/letters/{h.letter.pk}/self-assessment/",
            {"scores": scores, "remark": _long("S2"), "submit": True},
            format="json",
        )
    )
    assert _long("S1") in _texts(assessed)
    reasons = [{"item": pk, "score": "10", "remark": _long("R1")} for pk in items]
    reviewed = _json(
        boss.post(
            f"/api/v1/letters/{h.letter.pk}/review/",
            {"scores": reasons, "remark": _long("R2"), "submit": False},
            format="json",
        )
    )
    assert _long("R1") in _texts(reviewed)
    h.letter.refresh_from_db()
    assert (h.letter.self_remark, h.letter.review_remark) == (_long("S2"), _long("R2"))
    assert Case.objects.filter(pk=case["id"], title=long, description=long).exists()


def test_it_takes_payloads_in_the_meetings_api(hostile):  # type: ignore[no-untyped-def]
    """Plan (parts, agenda, guests), write the minutes, ask for leave, cancel: through the
    API, the answers and the rows hold every payload unchanged."""
    c, h = hostile.c, hostile
    desk, member = _api(c.branch_secretary), _api(c.member)

    def fits(limit: int | None, tag: str) -> str:
        return payload_for(limit, tag)

    started = timezone.now() - datetime.timedelta(hours=1)
    sent = {
        "org": c.branch1.pk,
        "kind": MeetingKind.BRANCH_ASSEMBLY.value,
        "title": fits(200, "AM1"),
        "starts_at": started.isoformat(),
        "ends_at": (started + datetime.timedelta(hours=2)).isoformat(),
        "place": fits(200, "AM2"),
        "description": _long("AM3"),
        "parts": [
            {
                "title": fits(120, "AM4"),
                "presider_name": fits(60, "AM5"),
                "agenda": [{"title": fits(300, "AM6"), "presenter": fits(120, "AM7")}],
            }
        ],
        "invitees": [
            {"category": "sit_in", "name": fits(60, "AM8"), "affiliation": fits(120, "AM9")}
        ],
    }
    made = _json(desk.post("/api/v1/meetings/", sent, format="json"), 201)
    assert (made["title"], made["place"], made["description"]) == (
        sent["title"],
        sent["place"],
        sent["description"],
    )
    (part,) = made["parts"]
    assert (part["title"], part["presider"]) == (fits(120, "AM4"), fits(60, "AM5"))
    (item,) = made["agenda"]
    assert (item["title"], item["presenter"]) == (fits(300, "AM6"), fits(120, "AM7"))
    roster = _json(desk.get(f"/api/v1/meetings/{made['id']}/attendees/"))
    assert {(r["name"], r["affiliation"]) for r in roster} >= {(fits(60, "AM8"), fits(120, "AM9"))}
    # the minutes: started from the agenda, then written
    start = desk.post(f"/api/v1/meetings/{made['id']}/minutes/start/")
    assert start.status_code == 201, start.content[:300]
    current = _json(desk.get(f"/api/v1/meetings/{made['id']}/minutes/"))["current"]
    (first,) = current["items"]
    body = {
        "summary": _long("AN1"),
        "items": [
            {
                "id": first["id"],
                "title": fits(300, "AN2"),
                "summary": _long("AN3"),
                "speakers": fits(300, "AN4"),
            }
        ],
        "resolutions": [{"item": 1, "text": fits(500, "AN5")}],
    }
    written = _json(desk.put(f"/api/v1/meetings/{made['id']}/minutes/", body, format="json"))
    for text in (_long("AN1"), fits(300, "AN2"), _long("AN3"), fits(300, "AN4"), fits(500, "AN5")):
        assert text in _texts(written), text
    # leave from tomorrow's meeting, asked on the member's phone; a meeting cancelled
    leave = member.post(
        f"/api/v1/meetings/{h.upcoming.pk}/leave/", {"reason": fits(300, "AL1")}, format="json"
    )
    assert leave.status_code == 200, leave.content[:300]
    assert Attendee.objects.filter(
        meeting=h.upcoming, person=c.member_person, leave_reason=fits(300, "AL1")
    ).exists()
    planned = _json(
        desk.post(
            "/api/v1/meetings/",
            {**sent, "starts_at": h.upcoming.starts_at.isoformat(), "parts": []}
            | {"ends_at": h.upcoming.ends_at.isoformat()},
            format="json",
        ),
        201,
    )
    cancelled = _json(
        desk.post(
            f"/api/v1/meetings/{planned['id']}/cancel/",
            {"reason": fits(500, "AC1")},
            format="json",
        )
    )
    assert cancelled["cancel_reason"] == fits(500, "AC1")


# --- The forms ----------------------------------------------------------------------------------


class _Forms(HTMLParser):
    """The forms of a page as a browser would submit them: action and (name, value) pairs."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._form: dict[str, Any] | None = None
        self._textarea: str | None = None
        self._select: str | None = None
        self._first_option: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = {"action": a.get("action", ""), "fields": [], "names": set()}
            self.forms.append(self._form)
        form = self._form
        if form is None or (tag in {"input", "textarea", "select"} and not a.get("name")):
            return
        if tag == "input":
            form["names"].add(a["name"])
            kind = a.get("type", "text")
            if kind in {"submit", "button", "file", "reset", "image"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            form["fields"].append((a["name"], a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "textarea":
            form["names"].add(a["name"])
            self._textarea = a["name"]
            form["fields"].append((a["name"], ""))
        elif tag == "select":
            form["names"].add(a["name"])
            self._select = a["name"]
        elif tag == "option" and self._select is not None:
            self._first_option.setdefault(self._select, a.get("value", ""))
            if "selected" in a:
                form["fields"].append((self._select, a.get("value", "")))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None and self._form is not None:
            name, value = self._form["fields"][-1]
            self._form["fields"][-1] = (name, value + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select is not None and self._form is not None:
            if all(name != self._select for name, _v in self._form["fields"]):
                self._form["fields"].append(
                    (self._select, self._first_option.get(self._select, ""))
                )
            self._select = None
        elif tag == "form":
            self._form = None


LABELS = {label for label, _field_name in COVERED}


def _submit(client: Any, page: str, values: dict[str, Any]) -> Any:
    """Fill the page's form that has every field of `values` and post it, as a browser."""
    html = client.get(page).content.decode()
    parser = _Forms()
    parser.feed(html)
    matching = [f for f in parser.forms if set(values) <= f["names"]]
    assert len(matching) == 1, (page, [sorted(f["names"]) for f in parser.forms])
    (form,) = matching
    data: dict[str, list[str]] = {}
    for name, value in form["fields"]:
        data.setdefault(name, []).append(value)
    data.update({k: v if isinstance(v, list) else [v] for k, v in values.items()})
    return client.post(form["action"] or page, data)


def test_it_stores_payloads_typed_into_the_forms_unchanged(client, hostile):  # type: ignore[no-untyped-def]
    c, h = hostile.c, hostile
    Letter.objects.filter(pk=h.letter.pk).update(status="signed")  # evidence is open again
    marker = iter(range(1, 100))

    def typed(label: str, field: str) -> str:
        return payload_for(_field((label, field)).max_length, f"F{next(marker):02d}")

    forms: list[tuple[str, str, dict[str, Any]]] = [
        ("street_officer", f"/bulletins/{h.bulletin.pk}/", {"notes": "bulletins.Bulletin"}),
        ("district_admin", f"/areas/{c.mengxi.pk}/edit/", {"name": "orgs.Area"}),
        ("district_admin", f"/notify/channels/{h.channel.pk}/edit/", {"name": "notify.Channel"}),
        (
            "district_admin",
            f"/calendar/?year={h.holiday.year}",
            {"name": "cases.CalendarDay", "date": f"{h.holiday.year}-05-01"},
        ),
        (
            "street_officer",
            f"/cases/{h.inspection_case.pk}/",
            {"dispatch-note": "cases.CaseEvent", "dispatch-unit": str(c.property_co.pk)},
        ),
        (
            "bureau_secretary",
            f"/orgs/{c.branch1.pk}/edit/",
            {"name": "orgs.PartyOrg", "short_name": "orgs.PartyOrg"},
        ),
        (
            "bureau_secretary",
            f"/people/{c.branch_secretary_person.pk}/edit/",
            {"name": "orgs.Person"},
        ),
        (
            "bureau_secretary",
            f"/duties/lists/{h.duty_list.pk}/edit/",
            {"title": "duties.DutyList", "note": "duties.DutyList"},
        ),
        ("bureau_secretary", f"/duties/posts/{h.duty_post.pk}/edit/", {"title": "duties.DutyPost"}),
        (
            "bureau_secretary",
            f"/duties/items/{h.duty.pk}/edit/",
            {"text": "duties.Duty", "frequency": "duties.Duty"},
        ),
        (
            "bureau_secretary",
            f"/letters/templates/items/{h.template.items.get().pk}/",
            {
                "section": "letters.TemplateItem",
                "content": "letters.TemplateItem",
                "indicator": "letters.TemplateItem",
                "evidence_hint": "letters.TemplateItem",
            },
        ),
        (
            "bureau_secretary",
            f"/letters/templates/{h.template.pk}/",
            {"title": "letters.LetterTemplate", "preamble": "letters.LetterTemplate"},
        ),
        (
            "bureau_secretary",
            f"/orgs/{h.moved.pk}/move/",
            {"note": "orgs.TreeChange", "new_parent": str(c.branch2.pk)},
        ),
        (
            "district_admin",
            f"/areas/{c.grid2.pk}/posts/new/",
            {
                "title": "orgs.Post",
                "certificate_no": "orgs.Post",
                "person": str(c.other_grid_worker_person.pk),
                "role": Role.MOBILE_GRID_WORKER.value,
            },
        ),
        (
            "bureau_secretary",
            f"/duties/orgs/{c.branch2.pk}/leaders/new/",
            {"title": "duties.LeaderDesignation", "person": str(c.sibling_secretary_person.pk)},
        ),
        (
            "branch_secretary",
            f"/news/{h.news_draft.pk}/edit/",
            {"title": "news.NewsItem", "summary": "news.NewsItem", "body": "news.NewsItem"},
        ),
        (
            "branch_secretary",
            f"/meetings/{h.upcoming.pk}/edit/",
            {"title": "meetings.Meeting", "place": "meetings.Meeting"},
        ),
        (
            "member",
            f"/meetings/makeups/{h.make_up.pk}/",
            {"note": "meetings.MakeUp", "way": MakeUp.Way.NOTE.value},
        ),
        (
            "branch_secretary",
            f"/letters/{h.letter.pk}/evidence/",
            {
                "title": "letters.Evidence",
                "note": "letters.Evidence",
                "items": [str(h.letter_item.pk)],
            },
        ),
    ]
    for username, page, fields in forms:
        client.force_login(getattr(c, username))
        values = {
            name: (typed(v, name.rsplit("-", 1)[-1]) if isinstance(v, str) and v in LABELS else v)
            for name, v in fields.items()
        }
        response = _submit(client, page, values)
        assert response.status_code == 302, (page, response.content.decode()[:3000])
        for name, label in fields.items():
            if isinstance(label, str) and label in LABELS:
                model = apps.get_model(label)
                model_field = name.rsplit("-", 1)[-1]  # a form's prefix is not the field's
                assert model.objects.filter(**{model_field: values[name]}).exists(), (page, name)
