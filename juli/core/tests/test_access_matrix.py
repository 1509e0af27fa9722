"""The access matrix: every URL of the project × role × own / child / parent / sibling scope.

One world is built per module (inside a transaction rolled back at the end; every test runs
in a savepoint of it): the shared cast (juli/conftest.py) plus, for each kind of object, one
owned by each scope relation of an actor — Dapuqiao's street officer for areas (own the
street, child grid 1, parent the Huangpu district, sibling Huaihai street), branch 1's
secretary for party organisations (own branch 1, child group 1, parent the Putuo party
group, sibling branch 2) — meetings, their minutes, make-ups and documents, and news items
too; a plain member of group 1 is the actor who sees meetings but runs none (403). Rating,
observation, honours and the dossier (issue 16) get their objects once through their actions
(`_rating_observation_honours_dossier`): a Jingan committee that nobody of the cast is in
stands for the `sibling` of rounds, cycles, calls and honours (`far` for assessments), the
Putuo party group's secretary (`bureau_secretary`) is the organiser and reviewer.

- `ROWS`: endpoints with an object in the URL. The actor gets `ok` on the relations it
  `sees`, 403 on those it `refuses` (visible, not changeable), 404 elsewhere; anonymous is
  sent to the login page (API: 401/403); the outsider gets 404. A refused write leaves every
  row of every table of the project as it was (`db_state`).
- `LISTS`: endpoints without an object (lists, personal pages, create forms): the actor's
  answer shows the objects of `sees` and no others, the outsider's shows none.
- `test_it_knows_every_endpoint` walks the URL resolver and fails on a pattern that is
  neither a row nor in `PUBLIC` (each with its reason) nor under the admin site, so a new
  endpoint cannot escape the matrix.
- The tamper tests at the end set fields that are never set directly (status, scope, people,
  owners), skip the verify step, and name ids outside the actor's scope.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections, transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

import config.settings as production
from juli.bulletins import actions as bulletin_actions
from juli.cases import actions as case_actions
from juli.cases import points as point_actions
from juli.cases.inspections import plan_day, submit_inspection
from juli.cases.models import Case, InspectionAssignment
from juli.cases.tests.conftest import photo
from juli.conftest import PASSWORD, build_cast
from juli.core.exports import run_export, start_export
from juli.core.models import Upload
from juli.duties import actions as duty_actions
from juli.duties.models import DutyPostKind
from juli.honours import actions as honour_actions
from juli.honours.models import Honour
from juli.honours.models import Target as HonourTarget
from juli.letters import actions as letter_actions
from juli.letters.tests.conftest import SIGNATURE, make_template
from juli.meetings import publicity
from juli.meetings import signin as meeting_signin
from juli.meetings.actions import minutes as meeting_minutes
from juli.meetings.actions import plan as meeting_plan
from juli.meetings.models import MakeUp, Meeting
from juli.news import actions as news_actions
from juli.notify import actions as notify_actions
from juli.notify.models import Notification
from juli.observation import actions as observation_actions
from juli.observation.models import ObservationVisit
from juli.orgs import actions as org_actions
from juli.orgs.models import Area, PartyOrg, Post
from juli.orgs.roles import Role
from juli.rankings import actions as ranking_actions
from juli.rankings.models import DEFAULT_WEIGHTS
from juli.rating.actions import review as rating_review
from juli.rating.actions import rounds as rating_rounds
from juli.rating.actions import selfassess as rating_self
from juli.rating.actions import standards as rating_standards
from juli.rating.actions.rounds import assessment_rows
from juli.rating.models import RatingRound

RELS = ("own", "child", "parent", "sibling")
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
MD5 = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --------------------------------------------------------------------------------------
# The world
# --------------------------------------------------------------------------------------


def _appoint(name: str, phone: str, role: str, **where: Any) -> Any:
    person = org_actions.create_person(None, name=name, phone=phone)
    org_actions.appoint(None, person, role, started_on=datetime.date(2024, 1, 1), **where)
    return org_actions.create_account(None, person, f"m{phone}", PASSWORD, validate_password=False)


def build_world() -> SimpleNamespace:
    """The shared cast plus, for every kind of object, one per scope relation.

    Area scopes are seen from the street officer (Dapuqiao): own Dapuqiao, child grid 1,
    parent the Huangpu district, sibling Huaihai street. Party scopes are seen from the
    branch secretary (branch 1): own branch 1, child group 1, parent the Putuo party group,
    sibling branch 2.
    """
    c = build_cast()
    w = SimpleNamespace(c=c)
    w.area = {"own": c.dapuqiao, "child": c.grid1, "parent": c.huangpu, "sibling": c.huaihai}
    w.org = {"own": c.branch1, "child": c.group1, "parent": c.putuo, "sibling": c.branch2}
    w.jingan = org_actions.create_area(
        None, None, name="静安区", kind="district", code="310106000000"
    )
    w.jingan = Area.objects.get(pk=w.jingan.pk)
    w.jingan_admin = _appoint("静安管", "13900000001", Role.DISTRICT_ADMIN, area=w.jingan)
    hh_community = org_actions.create_area(
        None, c.huaihai, name="淮海社区", kind="community", code="310101014001"
    )
    hh_grid = org_actions.create_area(
        None, hh_community, name="淮海网格", kind="micro_grid", code="3101010140010101"
    )
    # Points lie in micro-grids: own grid 1, child its building group, sibling Huaihai's grid.
    w.point_area = {"own": c.grid1, "child": c.building1, "sibling": hh_grid}

    w.litter = case_actions.create_case_category(
        None, code="litter", name="暴露垃圾", time_limit=4, time_unit="hours"
    )
    w.market = case_actions.create_point_category(None, code="market", name="农贸市场")
    w.item = case_actions.create_checklist_item(
        None, w.market, text="地面无垃圾", deduction=Decimal("2"), case_category=w.litter, order=1
    )
    admin = c.district_admin
    w.point, w.case, w.inspection, w.channel_area = {}, {}, {}, {}
    for rel, area in w.point_area.items():
        w.point[rel] = point_actions.create_point(
            None,
            code=f"MX-{rel}",
            name=f"点位-{rel}",
            area=area,
            category=w.market,
            responsible_unit=c.property_co,
        )
        w.inspection[rel] = submit_inspection(
            admin,
            client_uuid=uuid.uuid4(),
            point=w.point[rel],
            results=[(w.item, True, "", [])],
            started_at=datetime.datetime(2026, 1, 5, 9, tzinfo=datetime.UTC),
            at=datetime.datetime(2026, 1, 5, 9, 30, tzinfo=datetime.UTC),  # sent that morning
        )
    for rel, area in w.area.items():
        w.case[rel] = case_actions.report_case(
            admin,
            client_uuid=uuid.uuid4(),
            source=Case.Source.HOTLINE,
            category=w.litter,
            area=area,
            title=f"案件-{rel}",
        )
        w.channel_area[rel] = notify_actions.create_channel(
            None,
            area,
            name=f"渠道-{rel}",
            kind="email",
            kinds=["bulletin"],
            target=f"{rel}@example.cn",
        )
    # A case of the officer's own street, dispatched to the property company: the loop's
    # write endpoints are tried on it.
    loop = case_actions.accept_case(c.street_officer, w.case["child"])
    w.case["child"] = case_actions.dispatch_case(c.street_officer, loop, unit=c.property_co)
    w.notification = {
        "own": Notification.objects.get(recipient=c.unit_staff),
        "sibling": Notification.objects.create(
            recipient=c.other_grid_worker, case=w.case["child"], kind="dispatched", text="x"
        ),
    }
    _appoint("淮海督查", "13900000003", Role.INSPECTOR, area=c.huaihai)
    plan_day(datetime.date(2026, 1, 5))
    w.assignment = {
        rel: InspectionAssignment.objects.filter(point=p).first() for rel, p in w.point.items()
    }

    w.bulletin = {
        "own": bulletin_actions.generate_bulletin(None, c.dapuqiao, datetime.date(2026, 1, 5)),
        "parent": bulletin_actions.generate_bulletin(None, c.huangpu, datetime.date(2026, 1, 5)),
        "sibling": bulletin_actions.generate_bulletin(None, c.huaihai, datetime.date(2026, 1, 5)),
    }
    for district in (c.huangpu, w.jingan):
        ranking_actions.update_settings(
            None, district, enabled=True, auto_publish=False, weights=dict(DEFAULT_WEIGHTS)
        )
    w.ranking = {
        "own": ranking_actions.compute_ranking(None, c.huangpu, "2026-W10", publish=False),
        "sibling": ranking_actions.compute_ranking(None, w.jingan, "2026-W10", publish=False),
    }

    w.channel_org = {
        rel: notify_actions.create_channel(
            None,
            org,
            name=f"组织渠道-{rel}",
            kind="email",
            kinds=["bulletin"],
            target=f"o{rel}@example.cn",
        )
        for rel, org in w.org.items()
    }
    w.channel_unit = {
        "own": notify_actions.create_channel(
            None,
            c.property_co,
            name="单位渠道",
            kind="email",
            kinds=["bulletin"],
            target="u@example.cn",
        ),
        "sibling": notify_actions.create_channel(
            None,
            c.putuo_unit,
            name="单位渠道2",
            kind="email",
            kinds=["bulletin"],
            target="u2@example.cn",
        ),
    }

    # People and posts by party scope.
    w.person = {
        "own": c.member_person,
        "parent": c.bureau_secretary_person,
        "sibling": c.sibling_secretary_person,
    }
    w.person["child"] = org_actions.create_person(
        None, name="小组员", phone="13900000002", party_org=c.group1
    )
    w.post = {rel: Post.objects.filter(person=p).first() for rel, p in w.person.items()}
    w.post["child"] = org_actions.appoint(
        None,
        w.person["child"],
        Role.PARTY_SECRETARY,
        org=c.group1,
        started_on=datetime.date(2024, 1, 1),
    )
    w.post["own"] = org_actions.appoint(
        None,
        c.member_person,
        Role.COMMITTEE_MEMBER,
        org=c.branch1,
        started_on=datetime.date(2024, 1, 1),
    )

    # Letters: Putuo's branch template (parent of branch 1), branch 1's group template (own).
    w.template = {"parent": make_template(c)}
    first, second = letter_actions.prepare_letters(
        None, w.template["parent"], [c.branch1, c.branch2]
    )
    letter_actions.issue_letters(None, [first, second])
    w.template["own"] = letter_actions.create_template(
        None, c.branch1, year=2026, level="group", title="党小组责任书", preamble="。"
    )
    letter_actions.add_template_item(
        None,
        w.template["own"],
        section="组织建设",
        content="按时开会",
        indicator="每月1次",
        points=Decimal("100"),
        evidence_hint="记录",
    )
    (to_group,) = letter_actions.prepare_letters(None, w.template["own"], [c.group1])
    letter_actions.issue_letters(None, [to_group])
    w.template["sibling"] = letter_actions.create_template(
        None, c.branch2, year=2026, level="group", title="二支部小组责任书", preamble="。"
    )
    w.letter = {"own": first, "child": to_group, "sibling": second}
    for letter in w.letter.values():
        letter.refresh_from_db()
    letter_actions.sign_letter(c.bureau_secretary, first, "issuer", method="drawn", image=SIGNATURE)
    letter_actions.sign_letter(
        c.sibling_secretary, second, "receiver", method="drawn", image=SIGNATURE
    )
    w.signature = {
        "own": first.signatures.get(),
        "sibling": second.signatures.get(),
    }
    w.letter_item = {rel: letter.items.first() for rel, letter in w.letter.items()}
    w.template_item = {rel: t.items.first() for rel, t in w.template.items() if t.items.exists()}
    w.evidence = {
        "own": letter_actions.add_evidence(
            c.branch_secretary,
            first,
            title="记录",
            items=[w.letter_item["own"]],
            upload=SimpleUploadedFile("会议.pdf", b"%PDF-1.4\n%%EOF\n"),
        ),
        "sibling": letter_actions.add_evidence(
            c.sibling_secretary, second, title="记录", items=[w.letter_item["sibling"]], note="会"
        ),
    }

    # Duties: one list per party scope, a post and a duty in each, a leader designation.
    year = 2026
    w.duty_list, w.duty_post, w.duty, w.leader = {}, {}, {}, {}
    for rel, org in w.org.items():
        dl = duty_actions.create_list(None, org, year=year, title=f"清单-{rel}")
        dp = duty_actions.add_post(
            None, dl, level=PartyOrg.Kind.BRANCH, post=DutyPostKind.SECRETARY, title=f"书记-{rel}"
        )
        w.duty_list[rel], w.duty_post[rel] = dl, dp
        w.duty[rel] = duty_actions.add_duty(None, dp, text=f"职责-{rel}")
        w.leader[rel] = duty_actions.designate_leader(
            None, c.member_person, org, title=f"分管-{rel}"
        )

    # Exports and uploads belong to their owner only.
    w.export = {
        "own": start_export(c.street_officer, "cases.xlsx", {})[0],
        "sibling": start_export(c.district_admin, "cases.xlsx", {"q": "x"})[0],
    }
    run_export(w.export["own"].pk)  # its on-commit run never comes inside the transaction
    w.upload = {
        rel: Upload.objects.create(
            id=uuid.uuid4(), owner=owner, file=f"u/{rel}.jpg", width=1, height=1, sha256="0"
        )
        for rel, owner in (("own", c.grid_worker), ("sibling", c.other_grid_worker))
    }
    w.org_obj, w.area_obj = w.org, w.area
    w.unit = {"own": c.property_co, "sibling": c.putuo_unit}
    _meetings_and_news(w)
    _rating_observation_honours_dossier(w)
    return w


def _meetings_and_news(w: SimpleNamespace) -> None:
    """Per party scope: a planned meeting (upcoming, with an agenda item, a guest and a
    material), a held meeting whose minutes are confirmed (its absent members owe make-ups;
    the Putuo party group has no automatic roster, so no make-up), news drafts, news in
    review (drafted from the held meeting's record) and published news.

    The branch secretary's person is invited to the own and child meetings (their phone
    pages list only meetings one is on the roster of)."""
    c = w.c
    # Members who owe make-ups (reported done: waiting for the secretary's confirmation):
    # group 1's (inside branch 1) and branch 2's.
    people = {
        org: org_actions.create_person(
            None, name=name, phone=phone, party_org=org, political_status="member"
        )
        for name, phone, org in (
            ("组党员", "13900000005", c.group1),
            ("二支党员", "13900000006", c.branch2),
        )
    }
    # A plain member of group 1 with a login: sees group 1's meetings (membership) and
    # branch 1's (on their roster), runs none of them.
    w.group_member = org_actions.create_account(
        None, people[c.group1], "mgroupmember", PASSWORD, validate_password=False
    )
    now = timezone.now()
    soon, past = now + datetime.timedelta(days=2), now - datetime.timedelta(days=3)
    w.meeting, w.held, w.attendee, w.document, w.make_up = {}, {}, {}, {}, {}
    w.news, w.news_review, w.news_pub = {}, {}, {}
    for rel, org in w.org.items():
        invitees = [meeting_plan.Invitee(name=f"来宾-{rel}", category="attend")]
        if rel in ("own", "child"):
            invitees.append(meeting_plan.Invitee(person=c.branch_secretary_person))
        w.meeting[rel] = meeting_plan.plan_meeting(
            None,
            org,
            kind="branch_assembly",
            title=f"会议-{rel}",
            starts_at=soon,
            ends_at=soon + datetime.timedelta(hours=2),
            place="党员活动室",
            parts=[meeting_plan.PartSpec(agenda=[("议题", "")])],
            invitees=invitees,
            announce=False,
        )
        w.attendee[rel] = w.meeting[rel].attendees.get(name=f"来宾-{rel}")
        w.document[rel] = meeting_plan.add_document(
            None,
            w.meeting[rel],
            upload=SimpleUploadedFile("材料.pdf", b"%PDF-1.4\n%%EOF\n"),
            title=f"材料-{rel}",
        )
        held = meeting_plan.plan_meeting(
            None,
            org,
            kind="branch_assembly",
            title=f"已开-{rel}",
            starts_at=past,
            ends_at=past + datetime.timedelta(hours=2),
            place="党员活动室",
            parts=[meeting_plan.PartSpec(agenda=[("议题", "")])],
            announce=False,
        )
        minutes = meeting_minutes.start_minutes(None, held)
        meeting_minutes.save_minutes(None, minutes, summary="会议纪要")
        meeting_minutes.confirm_minutes(None, minutes)
        w.held[rel] = Meeting.objects.get(pk=held.pk)
        make_up = MakeUp.objects.filter(meeting=held).order_by("pk").first()
        if make_up is not None:
            w.make_up[rel] = meeting_minutes.submit_make_up(None, make_up, way="read")
        w.news[rel] = news_actions.create_item(None, org, title=f"新闻-{rel}", summary="摘要")
        w.news_review[rel] = news_actions.submit_item(
            None, publicity.draft_from_meeting(None, w.held[rel])
        )
        published = news_actions.create_item(None, org, title=f"要闻-{rel}", body="正文")
        published = news_actions.submit_item(None, published)
        w.news_pub[rel] = news_actions.approve_item(None, published)


def _rating_observation_honours_dossier(w: SimpleNamespace) -> None:
    """Issue 16's apps, built once through their actions.

    Rating: the Putuo party group's 2025 round published (an objection raised during the
    notice and dismissed) and its 2026 round open (branch 1's self-assessment a draft,
    branch 2's submitted); a draft standard of branch 1's own; a Jingan committee (nobody of
    the cast in it) with its own published round and objection, the `sibling` of the rating
    rows. Observation: a cycle over each of Putuo's and Jingan's branches; the visit hosted
    by branch 1 (Jingan's first branch) held, scored by the visiting secretary and closed,
    with an open rectification item owned by branch 1's secretary and a closed one with an
    evidence file. Honours: 百优支部 of Putuo and of Jingan, last year's call conferred and
    published (an honour for branch 1 / Jingan's first branch), this year's taking
    nominations (branch 2's of itself / Jingan's second branch's). Dossier: export jobs of
    branch 1's (the secretary's) and branch 2's (its secretary's) PDFs."""
    c = w.c
    today = timezone.localdate()
    w.year = today.year
    ja = org_actions.create_org(None, None, name="静安区委", kind="committee", code="JA-QW")
    ja1 = org_actions.create_org(None, ja, name="静安一支部", kind="branch", code="JA-B1")
    ja2 = org_actions.create_org(None, ja, name="静安二支部", kind="branch", code="JA-B2")
    w.ja_secretary = _appoint("静安二书记", "13900000021", Role.PARTY_SECRETARY, org=ja2)
    _appoint("静安一书记", "13900000022", Role.PARTY_SECRETARY, org=ja1)
    ja_owner = Post.objects.get(org=ja1).person

    # --- rating ---
    spec: dict[str, Any] = {
        "categories": [
            {
                "name": "组织生活",
                "criteria": [
                    {
                        "title": "三会一课",
                        "points": "40",
                        "method": "computed",
                        "metric": "meetings.compliance",
                        "full_share": "0.9",
                    },
                    {"title": "先锋作用", "points": "60", "method": "judged"},
                ],
            }
        ],
        "vetoes": [{"title": "严重违纪", "cap_stars": 2}],
    }

    def standard(org: PartyOrg, year: int) -> Any:
        return rating_standards.create_standard(
            None, org, year=year, title=f"{org.name}{year}标准", **spec
        )

    def filled(a: Any, points: str = "50") -> Any:
        judged = [r for r in assessment_rows(a) if r.criterion.method == "judged"]
        a = rating_self.save_self(None, a, rows={r.pk: {"points": points} for r in judged})
        return rating_self.submit(None, a)

    def published(org: PartyOrg, objector: Any, first: PartyOrg) -> tuple[Any, Any]:
        round_ = rating_rounds.open_round(
            None, org, standard(org, 2025), year=2025, self_due=datetime.date(2025, 12, 20)
        )
        for a in round_.assessments.all():
            a = filled(a)
            rating_review.review(None, a, version=a.version)
        rating_review.start_publicity(None, round_, starts_on=datetime.date(2026, 1, 5))
        objection = rating_review.raise_objection(
            objector,
            round_.assessments.get(org=first),
            text="异议",
            today=datetime.date(2026, 1, 6),
        )
        rating_review.answer_objection(None, objection, status="dismissed", answer="不成立")
        rating_review.publish(None, round_, today=datetime.date(2026, 3, 2))
        return RatingRound.objects.get(pk=round_.pk), objection

    putuo25, putuo_objection = published(c.putuo, c.sibling_secretary, c.branch1)
    ja25, ja_objection = published(ja, w.ja_secretary, ja1)
    putuo26 = rating_rounds.open_round(
        None,
        c.putuo,
        standard(c.putuo, 2026),
        year=2026,
        title=f"{c.putuo.name}2026评星",
        self_due=datetime.date(2026, 12, 20),
    )
    ja26 = rating_rounds.open_round(
        None,
        ja,
        standard(ja, 2026),
        year=2026,
        title=f"{ja.name}2026评星",
        self_due=datetime.date(2026, 12, 20),
    )
    filled(putuo26.assessments.get(org=c.branch2))
    filled(ja26.assessments.get(org=ja2))
    # From branch 1's secretary: own branch 1's draft standard, parent Putuo's (in use),
    # sibling Jingan's.
    w.standard = {
        "own": standard(c.branch1, 2026),
        "parent": putuo26.standard,
        "sibling": ja26.standard,
    }
    # Rounds: `parent` Putuo's (branch 1 is rated in it), `sibling` Jingan's; `public` the
    # published ones.
    w.round = {"parent": putuo26, "sibling": ja26}
    w.round_pub = {"parent": putuo25, "sibling": ja25}
    # Assessments of the open rounds: own branch 1's draft, sibling branch 2's submitted,
    # `far` Jingan's submitted; of the published rounds: own branch 1's, sibling branch 2's
    # (public inside Putuo), far Jingan's.
    w.assessment = {
        "own": putuo26.assessments.get(org=c.branch1),
        "sibling": putuo26.assessments.get(org=c.branch2),
        "far": ja26.assessments.get(org=ja2),
    }
    w.assessment_pub = {
        "own": putuo25.assessments.get(org=c.branch1),
        "sibling": putuo25.assessments.get(org=c.branch2),
        "far": ja25.assessments.get(org=ja1),
    }
    w.objection = {"own": putuo_objection, "far": ja_objection}
    w.rated_org = {"own": c.branch1, "sibling": c.branch2, "far": ja1}

    # --- observation ---
    start = today - datetime.timedelta(days=40)

    def cycle(org: PartyOrg, host: PartyOrg, scorer: Any, owner: Any) -> tuple[Any, ...]:
        made = observation_actions.create_cycle(
            None,
            org,
            title=f"{org.name}观摩",
            starts_on=start,
            ends_on=start + datetime.timedelta(days=30),
            announce=False,
        )
        visit = ObservationVisit.objects.get(cycle=made, host=host)
        visit = observation_actions.hold_visit(None, visit, shown="台账")
        observation_actions.submit_sheet(
            scorer,
            visit,
            values={"listen": 18, "look": 17, "records": 16, "talk": 19, "evaluate": 18},
            client_uuid=uuid.uuid4(),
        )
        visit = observation_actions.finish_scoring(None, visit)
        visit = observation_actions.close_visit(None, visit, feedback="反馈")
        deadline = today + datetime.timedelta(days=10)
        item = observation_actions.add_rectification(
            None, visit, title="整改台账", owner=owner, deadline=deadline
        )
        done = observation_actions.add_rectification(
            None, visit, title="整改制度", owner=owner, deadline=deadline
        )
        done = observation_actions.close_rectification(
            None,
            done,
            note="已整改",
            files=[SimpleUploadedFile("整改.pdf", b"%PDF-1.4\n%%EOF\n")],
        )
        return made, visit, item, done.files.get()

    putuo_obs = cycle(c.putuo, c.branch1, c.sibling_secretary, c.branch_secretary_person)
    ja_obs = cycle(ja, ja1, w.ja_secretary, ja_owner)
    # From branch 1's secretary: the cycle is the `parent`'s, the visit, items and files
    # branch 1's own; Jingan's are the `sibling`.
    w.cycle = {"parent": putuo_obs[0], "sibling": ja_obs[0]}
    w.visit = {"own": putuo_obs[1], "sibling": ja_obs[1]}
    w.rectification = {"own": putuo_obs[2], "sibling": ja_obs[2]}
    w.rect_file = {"own": putuo_obs[3], "sibling": ja_obs[3]}

    # --- honours ---
    def honours(org: PartyOrg, code: str, first: PartyOrg, second: PartyOrg) -> tuple[Any, ...]:
        kind = honour_actions.create_kind(
            None, org=org, name="百优支部", code=code, target=HonourTarget.ORG, default_quota=2
        )
        last = honour_actions.open_call(
            None, kind, year=2025, nominate_until=datetime.date(2099, 12, 31)
        )
        nomination = honour_actions.nominate(
            None, last, nominator=org, reason="先进", nominee_org=first
        )
        honour_actions.review(None, nomination, accept=True)
        honour_actions.close_nominations(None, last)
        honour_actions.confer(None, last)
        honour_actions.publish(None, last)
        this = honour_actions.open_call(
            None, kind, year=2026, nominate_until=datetime.date(2099, 12, 31)
        )
        open_nomination = honour_actions.nominate(
            None, this, nominator=second, reason="先进", nominee_org=second
        )
        return kind, this, open_nomination, Honour.objects.get(call=last)

    putuo_h = honours(c.putuo, "BYZB", c.branch1, c.branch2)
    ja_h = honours(ja, "JABY", ja1, ja2)
    # From branch 2's secretary: the kind and call are the `parent`'s (Putuo's), the
    # nomination branch 2's own; Jingan's are the `sibling`. The honour: branch 1's
    # (published inside Putuo), Jingan's first branch's.
    w.honour_kind = {"parent": putuo_h[0], "sibling": ja_h[0]}
    w.call = {"parent": putuo_h[1], "sibling": ja_h[1]}
    w.nomination = {"own": putuo_h[2], "sibling": ja_h[2]}
    w.honour = {"own": putuo_h[3], "sibling": ja_h[3]}

    # --- dossier: export jobs belong to their owner ---
    w.dossier_export = {
        "own": start_export(
            c.branch_secretary, "dossier.pdf", {"org": c.branch1.pk, "year": w.year, "back": "/"}
        )[0],
        "sibling": start_export(
            c.sibling_secretary, "dossier.pdf", {"org": c.branch2.pk, "year": w.year, "back": "/"}
        )[0],
    }
    run_export(w.dossier_export["own"].pk)  # done: its file can be fetched


@pytest.fixture(scope="module")
def media_dir() -> Iterator[str]:
    with tempfile.TemporaryDirectory() as folder:
        yield folder


@pytest.fixture(scope="module")
def mw(django_db_setup: Any, django_db_blocker: Any, media_dir: str) -> Iterator[Any]:
    """The world, built once per module inside a transaction that is rolled back."""
    with (
        django_db_blocker.unblock(),
        override_settings(
            PASSWORD_HASHERS=MD5, MEDIA_ROOT=media_dir, TASKS=IMMEDIATE, LANGUAGE_CODE="en"
        ),
    ):
        atomics = {alias: transaction.atomic(using=alias) for alias in connections}
        for atomic in atomics.values():
            atomic.__enter__()
        try:
            yield build_world()
        finally:
            for alias, atomic in reversed(list(atomics.items())):
                transaction.set_rollback(True, using=alias)
                atomic.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _module_media(settings: Any, media_dir: str) -> None:
    settings.MEDIA_ROOT = media_dir


# --------------------------------------------------------------------------------------
# The matrix
# --------------------------------------------------------------------------------------

Build = Callable[[Any, str], dict[str, Any]]


@dataclass(frozen=True)
class Row:
    """One endpoint tried by one in-scope actor on objects of every scope relation.

    `rels`: the relations there is an object for; `sees`: those the actor reaches (the
    others answer 404); `refuses`: those of them it sees but may not change (403); `method`:
    get, post, patch, put or delete (a refused write must leave the database exactly as it
    was); `ok`: the statuses of an allowed request; `outsider`: the outsider's status;
    `anonymous`: set where a page is readable without signing in when its owner chose so
    (news of a public organisation), else anonymous is sent to the login page.
    """

    name: str
    actor: str
    kwargs: Build
    rels: tuple[str, ...] = RELS
    sees: tuple[str, ...] = ("own", "child")
    refuses: tuple[str, ...] = ()
    method: str = "get"
    data: dict[str, Any] | Callable[[Any, str], dict[str, Any]] = field(default_factory=dict)
    ok: tuple[int, ...] = (200,)
    outsider: tuple[int, ...] = (404,)
    #: Anonymous's status where it is not sent to the login page (pages public by choice).
    anonymous: tuple[int, ...] | None = None

    def payload(self, w: Any, rel: str) -> dict[str, Any]:
        return self.data(w, rel) if callable(self.data) else self.data

    @property
    def api(self) -> bool:
        return self.name.startswith("api-")

    @property
    def id(self) -> str:
        return f"{self.name}:{self.method}:{self.actor}"


def pk(attr: str) -> Build:
    """kwargs {"pk": w.<attr>[rel].pk}."""
    return lambda w, rel: {"pk": getattr(w, attr)[rel].pk}


def pk_of(attr: str, key: str) -> Build:
    return lambda w, rel: {key: getattr(w, attr)[rel].pk}


def scope_kw(kind: str) -> Build:
    """The notify pages of an organisation or area: kwargs kind and pk."""
    return lambda w, rel: {"kind": kind, "pk": getattr(w, kind)[rel].pk}


def rows_for(
    names: list[str], actor: str, kwargs: Build, method: str = "get", **kw: Any
) -> list[Row]:
    return [Row(name, actor, kwargs, method=method, **kw) for name in names]


OFFICER, SECRETARY = "street_officer", "branch_secretary"
CASE = pk("case")
POST_CHANGE = {"name": "篡改", "title": "篡改", "note": "篡改", "text": "篡改"}
AREA_RELS = ("own", "parent", "sibling")  # bulletins exist for streets and districts
POINT_RELS = ("own", "child", "sibling")  # points lie in micro-grids: no parent's point
LETTER_RELS = ("own", "child", "sibling")  # letters to branch 1, to group 1, to branch 2
DUTY_SEES, DUTY_REFUSES = ("own", "child", "parent"), ("own", "parent")
MEETING, HELD = pk("meeting"), pk("held")
MAKE_UP_RELS = ("own", "child", "sibling")  # the Putuo party group has no member roster
ANON_404 = (404,)
MEMBER = "group_member"
BUREAU, SIBLING = "bureau_secretary", "sibling_secretary"
STD_RELS, STD_SEES = ("own", "parent", "sibling"), ("own", "parent")
ROUND_RELS = CYCLE_RELS = ("parent", "sibling")
ASSESS_RELS = ("own", "sibling", "far")
OBS_RELS = NOM_RELS = ("own", "sibling")
DOSSIER: Build = lambda w, rel: {"org_id": w.org[rel].pk, "year": w.year}  # noqa: E731

ROWS: list[Row] = [
    # --- cases: the office pages, the phone page, the API (Dapuqiao's street officer) ---
    *rows_for(["case-detail", "api-case-detail", "api-case-photos"], OFFICER, CASE),
    # The phone page of a case, seen from grid 1's worker: own grid 1, parent Dapuqiao.
    Row(
        "field-case",
        "grid_worker",
        lambda w, rel: {"pk": w.case[{"own": "child", "parent": "own"}.get(rel, rel)].pk},
        rels=("own", "parent", "sibling"),
        sees=("own",),
    ),
    Row(
        "case-act",
        OFFICER,
        lambda w, rel: {"pk": w.case[rel].pk, "action": "accept"},
        method="post",
        data=lambda w, rel: {
            "accept-note": "x",
            "accept-client_uuid": str(uuid.uuid4()),
            "accept-expected_status": w.case[rel].status,
        },
        ok=(302, 409),  # accepted (own: reported), or not from `dispatched` (child)
    ),
    Row(
        "api-case-transitions",
        OFFICER,
        CASE,
        method="post",
        data={"action": "accept", "note": "x"},
        ok=(200, 409),  # accepted (own: reported), or not from `dispatched` (child)
    ),
    # 立案并派遣 in one step (handover): the same page and endpoint, the combined action.
    Row(
        "case-act",
        OFFICER,
        lambda w, rel: {"pk": w.case[rel].pk, "action": "accept_dispatch"},
        method="post",
        data=lambda w, rel: {
            "accept_dispatch-unit": str(w.c.property_co.pk),
            "accept_dispatch-client_uuid": str(uuid.uuid4()),
            "accept_dispatch-expected_status": w.case[rel].status,
        },
        ok=(302, 409),  # accepted and dispatched (own: reported), or not from `dispatched`
    ),
    Row(
        "api-case-transitions",
        OFFICER,
        CASE,
        method="post",
        data=lambda w, rel: {"action": "accept_dispatch", "unit": w.c.property_co.pk},
        ok=(200, 409),  # accepted and dispatched (own: reported), or not from `dispatched`
    ),
    # The public reply and flag: the case office over the case's area.
    Row(
        "case-publication",
        OFFICER,
        CASE,
        method="post",
        data={"public_reply": "篡改", "is_public": "on"},
        ok=(302,),
    ),
    Row(
        "api-case-publication",
        OFFICER,
        CASE,
        method="post",
        data={"public_reply": "篡改", "is_public": True},
    ),
    # --- points and inspections ---
    *rows_for(
        ["point-detail", "api-point-detail"],
        OFFICER,
        pk("point"),
        rels=("own", "child", "sibling"),
    ),
    Row(
        "field-inspect",
        "inspector",
        pk("point"),
        rels=("own", "child", "sibling"),
    ),
    Row(
        "api-inspection-detail",
        OFFICER,
        pk("inspection"),
        rels=("own", "child", "sibling"),
    ),
    Row(
        "plan-reassign",
        OFFICER,
        pk("assignment"),
        rels=("own", "child", "sibling"),
        method="post",
        data={"inspector": "0"},
        ok=(200, 302, 400),
    ),
    Row(
        "notification-read",
        "unit_staff",
        pk("notification"),
        rels=("own", "sibling"),
        sees=("own",),
        method="post",
        ok=(302, 200, 204),
    ),
    # --- exports and staged uploads: their owner's only ---
    *rows_for(
        ["export-status", "case-export-status", "export-download", "case-export-download"],
        OFFICER,
        pk("export"),
        rels=("own", "sibling"),
        sees=("own",),
    ),
    Row(
        "api-upload-detail",
        "grid_worker",
        pk("upload"),
        rels=("own", "sibling"),
        sees=("own",),
    ),
    # --- bulletins (streets and districts) ---
    *rows_for(
        ["bulletin-detail", "bulletin-pdf", "bulletin-xlsx", "api-bulletin-detail"],
        OFFICER,
        pk("bulletin"),
        rels=AREA_RELS,
        sees=("own",),
    ),
    Row(
        "bulletin-cases",
        OFFICER,
        lambda w, rel: {"pk": w.bulletin[rel].pk, "figure": "rectified"},
        rels=AREA_RELS,
        sees=("own",),
    ),
    *rows_for(
        ["bulletin-notes", "bulletin-publish", "bulletin-regenerate"],
        OFFICER,
        pk("bulletin"),
        method="post",
        data={"notes": "篡改"},
        rels=AREA_RELS,
        sees=("own",),
        ok=(200, 302),
    ),
    # --- rankings (districts; Huangpu's district admin) ---
    *rows_for(
        ["ranking-pdf", "ranking-xlsx", "api-ranking-detail"],
        "district_admin",
        pk("ranking"),
        rels=("own", "sibling"),
        sees=("own",),
    ),
    Row(
        "ranking-publish",
        "district_admin",
        pk("ranking"),
        rels=("own", "sibling"),
        sees=("own",),
        method="post",
        ok=(200, 302),
    ),
    *rows_for(
        ["ranking-district", "ranking-settings"],
        "district_admin",
        lambda w, rel: {"pk": w.ranking[rel].district_id},
        rels=("own", "sibling"),
        sees=("own",),
    ),
    *rows_for(
        ["ranking-compute", "ranking-settings"],
        "district_admin",
        lambda w, rel: {"pk": w.ranking[rel].district_id},
        rels=("own", "sibling"),
        sees=("own",),
        method="post",
        data={"week": "2026-W11"},
        ok=(200, 302, 400),
    ),
    # --- notification channels of areas, organisations ---
    *rows_for(["channel-list", "channel-new", "delivery-log"], OFFICER, scope_kw("area")),
    *rows_for(["channel-list", "channel-new", "delivery-log"], SECRETARY, scope_kw("org")),
    Row(
        "channel-new",
        OFFICER,
        scope_kw("area"),
        method="post",
        data={"name": "篡改", "kind": "email", "target": "x@example.cn", "kinds": ["bulletin"]},
        ok=(200, 302),
    ),
    Row("channel-edit", OFFICER, pk("channel_area")),
    Row("channel-edit", SECRETARY, pk("channel_org")),
    *rows_for(
        ["channel-edit", "channel-active", "channel-test"],
        OFFICER,
        pk("channel_area"),
        method="post",
        data={"name": "篡改", "kind": "email", "target": "x@example.cn", "active": "0"},
        ok=(200, 302),
    ),
    # --- party organisations, areas, units, people, posts ---
    *rows_for(
        [
            "org-detail",
            "org-children",
            "org-new-child",
            "org-edit",
            "post-new",
            "api-org-detail",
            "duties-chain",
            "duties-chain-pdf",
            "duties-chain-xlsx",
            "duties-leader-new",
        ],
        SECRETARY,
        pk("org_obj"),
    ),
    Row("api-duty-chain", SECRETARY, pk_of("org_obj", "org_id")),
    *rows_for(
        ["org-new-child", "org-edit", "post-new"],
        SECRETARY,
        pk("org_obj"),
        method="post",
        data=POST_CHANGE,
        ok=(200, 302),
    ),
    # Moving, retiring or merging an organisation takes a right over its parent.
    *rows_for(["org-move", "org-retire", "org-merge"], SECRETARY, pk("org_obj"), refuses=("own",)),
    *rows_for(
        ["org-move", "org-retire", "org-merge"],
        SECRETARY,
        pk("org_obj"),
        refuses=("own",),
        method="post",
        data=POST_CHANGE,
        ok=(200, 302),
    ),
    *rows_for(
        [
            "area-detail",
            "area-children",
            "area-new-child",
            "area-edit",
            "area-post-new",
            "api-area-detail",
        ],
        OFFICER,
        pk("area_obj"),
    ),
    *rows_for(
        ["area-new-child", "area-edit", "area-post-new"],
        OFFICER,
        pk("area_obj"),
        method="post",
        data=POST_CHANGE,
        ok=(200, 302),
    ),
    Row("area-move", OFFICER, pk("area_obj"), refuses=("own",)),
    Row(
        "area-move",
        OFFICER,
        pk("area_obj"),
        refuses=("own",),
        method="post",
        data={"parent": "0"},
        ok=(200, 302),
    ),
    *rows_for(
        ["unit-detail", "unit-post-new", "api-unit-detail"],
        OFFICER,
        pk("unit"),
        rels=("own", "sibling"),
        sees=("own",),
    ),
    *rows_for(["person-detail", "person-edit", "api-person-detail"], SECRETARY, pk("person")),
    Row("person-edit", SECRETARY, pk("person"), method="post", data=POST_CHANGE, ok=(200, 302)),
    Row("api-post-detail", SECRETARY, pk("post")),
    Row("post-end", SECRETARY, pk("post"), method="post", ok=(200, 302)),
    # --- letters ---
    *rows_for(
        [
            "letter-detail",
            "letter-sign",
            "letter-pdf",
            "letter-evidence",
            "letter-assessment",
            "api-letter-detail",
            "api-letter-assessment",
        ],
        SECRETARY,
        pk("letter"),
        rels=("own", "child", "sibling"),
    ),
    # Issuing and publishing are the issuer's (Putuo's for branch 1's letter: 403); the
    # child letter is issued already (409). The other steps refuse the empty body (400).
    *rows_for(
        ["api-letter-issue", "api-letter-publish"],
        SECRETARY,
        pk("letter"),
        rels=LETTER_RELS,
        refuses=("own",),
        method="post",
        ok=(409,),
    ),
    *rows_for(
        ["api-letter-review", "api-letter-self-assessment", "api-letter-sign"],
        SECRETARY,
        pk("letter"),
        rels=LETTER_RELS,
        method="post",
        ok=(400,),
    ),
    *rows_for(
        ["letter-sign", "letter-evidence", "letter-assessment"],
        SECRETARY,
        pk("letter"),
        rels=("own", "child", "sibling"),
        method="post",
        data={"note": "x", "title": "篡改"},
        ok=(200,),  # the form again: access passed, the empty form refused
    ),
    Row("api-letter-item-detail", SECRETARY, pk("letter_item"), rels=LETTER_RELS),
    # A letter's items are edited by the issuer (branch 1 issued the child letter).
    Row("letter-item", SECRETARY, pk("letter_item"), rels=LETTER_RELS, refuses=("own",)),
    Row(
        "letter-item",
        SECRETARY,
        pk("letter_item"),
        rels=LETTER_RELS,
        refuses=("own",),
        method="post",
        data={"content": "篡改"},
        ok=(200, 302),
    ),
    *rows_for(
        ["letter-evidence-file", "api-evidence-detail"],
        SECRETARY,
        pk("evidence"),
        rels=("own", "sibling"),
        sees=("own",),
    ),
    Row(
        "api-evidence-detail",
        SECRETARY,
        pk("evidence"),
        rels=("own", "sibling"),
        sees=("own",),
        method="delete",
        ok=(204,),
    ),
    Row(
        "letter-evidence-remove",
        SECRETARY,
        pk("evidence"),
        rels=("own", "sibling"),
        sees=("own",),
        method="post",
        ok=(200, 302),
    ),
    Row(
        "letter-signature",
        SECRETARY,
        pk("signature"),
        rels=("own", "sibling"),
        sees=("own",),
    ),
    *rows_for(
        ["letter-template", "letter-session", "letter-compare"],
        SECRETARY,
        pk("template"),
        rels=("own", "parent", "sibling"),
        sees=("own",),
    ),
    Row(
        "letter-template",
        SECRETARY,
        pk("template"),
        rels=("own", "parent", "sibling"),
        sees=("own",),
        method="post",
        data={**POST_CHANGE, "what": "head", "year": "2026", "level": "group"},
        ok=(200, 302),
    ),
    Row(
        "letter-template-item",
        SECRETARY,
        pk("template_item"),
        rels=("own", "parent"),
        sees=("own",),
    ),
    # --- duty lists: a list binds its owner's subtree, so the parent's list is read (not
    # changed: 403); a list is set by the level above its owner (own: 403, child: allowed).
    *rows_for(["duties-list", "api-duty-list-detail"], SECRETARY, pk("duty_list"), sees=DUTY_SEES),
    Row("api-duty-post-detail", SECRETARY, pk("duty_post"), sees=DUTY_SEES),
    Row("api-duty-detail", SECRETARY, pk("duty"), sees=DUTY_SEES),
    Row(
        "api-duty-list-detail",
        SECRETARY,
        pk("duty_list"),
        sees=DUTY_SEES,
        refuses=DUTY_REFUSES,
        method="patch",
        data={"title": "篡改"},
    ),
    *[
        Row(
            name,
            SECRETARY,
            pk(attr),
            sees=DUTY_SEES,
            refuses=DUTY_REFUSES,
            method=method,
            data={"title": "篡改", "text": "篡改"},
            ok=(200, 204),
        )
        for name, attr in (("api-duty-post-detail", "duty_post"), ("api-duty-detail", "duty"))
        for method in ("patch", "delete")
    ],
    *rows_for(
        ["duties-list-edit", "duties-post-new"],
        SECRETARY,
        pk("duty_list"),
        sees=DUTY_SEES,
        refuses=DUTY_REFUSES,
    ),
    *rows_for(
        ["duties-list-edit", "duties-list-copy", "duties-post-new", "api-duty-list-copy"],
        SECRETARY,
        pk("duty_list"),
        sees=DUTY_SEES,
        refuses=DUTY_REFUSES,
        method="post",
        data={**POST_CHANGE, "year": "2027", "level": "branch", "post": "secretary"},
        ok=(200, 201, 302),
    ),
    *rows_for(
        ["duties-post-edit", "duties-duty-new"],
        SECRETARY,
        pk("duty_post"),
        sees=DUTY_SEES,
        refuses=DUTY_REFUSES,
    ),
    *rows_for(
        ["duties-post-edit", "duties-post-remove", "duties-duty-new"],
        SECRETARY,
        pk("duty_post"),
        sees=DUTY_SEES,
        refuses=DUTY_REFUSES,
        method="post",
        data={**POST_CHANGE, "level": "branch", "post": "secretary"},
        ok=(200, 302),
    ),
    Row("duties-duty-edit", SECRETARY, pk("duty"), sees=DUTY_SEES, refuses=DUTY_REFUSES),
    *rows_for(
        ["duties-duty-edit", "duties-duty-remove"],
        SECRETARY,
        pk("duty"),
        sees=DUTY_SEES,
        refuses=DUTY_REFUSES,
        method="post",
        data=POST_CHANGE,
        ok=(200, 302),
    ),
    Row(
        "duties-leader-end",
        SECRETARY,
        pk("leader"),
        method="post",
        data={"ended_on": "2026-01-01"},
        ok=(200, 302),
    ),
    # --- meetings (branch 1's secretary runs branch 1's and group 1's meetings; the Putuo
    # party group's and branch 2's are not theirs: 404). `meeting`: planned, upcoming;
    # `held`: its minutes confirmed. ---
    *rows_for(
        [
            "meetings-detail",
            "meetings-edit",
            "meetings-signin-screen",
            "meetings-signin-qr",
            "meetings-signin-print",
            "meetings-attendance-card",
            "meetings-publicity",
            "api-meeting-detail",
            "api-meeting-attendees",
        ],
        SECRETARY,
        MEETING,
    ),
    *rows_for(
        [
            "meetings-minutes",
            "meetings-minutes-pdf",
            "meetings-minutes-card",
            "meetings-publicity",
            "api-meetings-minutes",
        ],
        SECRETARY,
        HELD,
    ),
    Row(
        "meetings-minutes-version",
        SECRETARY,
        lambda w, rel: {"pk": w.held[rel].pk, "version": 1},
    ),
    # The phone's leave page: meetings one is on the roster of (invited to own and child).
    Row("meetings-field-leave", SECRETARY, MEETING),
    Row("meetings-document", SECRETARY, pk("document")),
    *rows_for(
        ["meetings-makeup", "api-meetings-makeup"], SECRETARY, pk("make_up"), rels=MAKE_UP_RELS
    ),
    *rows_for(
        ["meetings-edit", "meetings-cancel", "meetings-invite", "meetings-document-add"],
        SECRETARY,
        MEETING,
        method="post",
        data={**POST_CHANGE, "reason": "篡改"},
        ok=(200, 302, 400),
    ),
    *rows_for(
        ["meetings-signin-rotate", "meetings-attendance-record"],
        SECRETARY,
        MEETING,
        method="post",
        data=lambda w, rel: {"attendee": w.attendee[rel].pk, "action": "leave", "reason": "x"},
        ok=(200, 302, 400),
    ),
    Row(
        "meetings-uninvite",
        SECRETARY,
        lambda w, rel: {"pk": w.meeting[rel].pk, "attendee": w.attendee[rel].pk},
        method="post",
        ok=(200, 302, 400),
    ),
    Row(
        "meetings-document-remove",
        SECRETARY,
        pk("document"),
        method="post",
        ok=(200, 302, 400),
    ),
    *rows_for(
        ["meetings-minutes", "meetings-publicity-draft"],
        SECRETARY,
        HELD,
        method="post",
        data={"action": "save", "summary": "篡改"},
        ok=(200, 302, 400),  # confirmed minutes are frozen: the editor again, 400
    ),
    *rows_for(
        ["meetings-makeup", "meetings-makeup-confirm"],
        SECRETARY,
        pk("make_up"),
        rels=MAKE_UP_RELS,
        method="post",
        data={"action": "confirm", "note": "篡改"},
        ok=(200, 302, 400),
    ),
    Row(
        "api-meeting-cancel",
        SECRETARY,
        MEETING,
        method="post",
        data={"reason": "篡改"},
        ok=(200,),
    ),
    Row(
        "api-meetings-leave",
        SECRETARY,
        MEETING,
        method="post",
        data={"reason": "篡改"},
        ok=(200,),
    ),
    Row(
        "api-meetings-proxy",
        SECRETARY,
        lambda w, rel: {"pk": w.meeting[rel].pk, "aid": w.attendee[rel].pk},
        method="post",
        data={"reason": "篡改"},
        ok=(200, 201, 400),  # the code is not open yet two days ahead: 400 `not_open`
    ),
    *rows_for(
        ["api-meetings-minutes"],
        SECRETARY,
        HELD,
        method="put",
        data={"summary": "篡改"},
        ok=(200, 400, 409),  # confirmed minutes are frozen
    ),
    *rows_for(
        [
            "api-meetings-minutes-start",
            "api-meetings-minutes-submit",
            "api-meetings-minutes-confirm",
            "api-meetings-minutes-revise",
        ],
        SECRETARY,
        HELD,
        method="post",
        data={"reason": "篡改"},
        ok=(200, 201, 400, 409),
    ),
    *rows_for(
        ["api-meetings-makeup-submit", "api-meetings-makeup-confirm", "api-meetings-makeup-return"],
        SECRETARY,
        pk("make_up"),
        rels=MAKE_UP_RELS,
        method="post",
        data={"note": "篡改", "reason": "篡改"},
        ok=(200, 400, 403, 409),
    ),
    # A plain member of group 1 (on branch 1's roster too) sees own and child meetings but
    # runs neither: every write is 403 and writes nothing.
    Row("meetings-edit", MEMBER, MEETING, refuses=("own", "child")),
    *rows_for(
        [
            "meetings-edit",
            "meetings-cancel",
            "meetings-invite",
            "meetings-document-add",
            "meetings-signin-rotate",
            "meetings-attendance-record",
        ],
        MEMBER,
        MEETING,
        refuses=("own", "child"),
        method="post",
        data=lambda w, rel: {**POST_CHANGE, "reason": "篡改", "attendee": w.attendee[rel].pk},
    ),
    Row(
        "meetings-uninvite",
        MEMBER,
        lambda w, rel: {"pk": w.meeting[rel].pk, "attendee": w.attendee[rel].pk},
        refuses=("own", "child"),
        method="post",
    ),
    Row(
        "meetings-document-remove", MEMBER, pk("document"), refuses=("own", "child"), method="post"
    ),
    Row(
        "api-meeting-cancel",
        MEMBER,
        MEETING,
        refuses=("own", "child"),
        method="post",
        data={"reason": "篡改"},
    ),
    Row(
        "api-meetings-proxy",
        MEMBER,
        lambda w, rel: {"pk": w.meeting[rel].pk, "aid": w.attendee[rel].pk},
        refuses=("own", "child"),
        method="post",
        data={"reason": "篡改"},
    ),
    Row(
        "meetings-minutes",
        MEMBER,
        HELD,
        refuses=("own", "child"),
        method="post",
        data={"action": "revise", "reason": "篡改"},
    ),
    *rows_for(
        ["api-meetings-minutes-revise", "api-meetings-minutes-submit"],
        MEMBER,
        HELD,
        refuses=("own", "child"),
        method="post",
        data={"reason": "篡改"},
    ),
    # --- news: drafts, items in review (from the held meetings' records), published ---
    # The item and organisation pages and the Atom feed answer anyone when the organisation
    # chose public news (juli/news/tests/test_access.py, test_search_feed.py); none did
    # here, so who is not signed in gets 404 like an outsider.
    Row("news-item", SECRETARY, pk("news"), anonymous=ANON_404),
    Row("news-edit", SECRETARY, pk("news")),
    Row("news-item", SECRETARY, pk("news_pub"), anonymous=ANON_404),
    Row("api-news-detail", SECRETARY, pk("news_pub")),
    *rows_for(["news-org", "news-org-atom"], SECRETARY, pk("org_obj"), anonymous=ANON_404),
    *rows_for(
        ["news-edit", "news-submit"],
        SECRETARY,
        pk("news"),
        method="post",
        data={"title": "篡改", "summary": "", "body": "篡改"},
        ok=(200, 302),
    ),
    *rows_for(
        ["news-approve", "news-return"],
        SECRETARY,
        pk("news_review"),
        method="post",
        data={"reason": "篡改"},
        ok=(302,),
    ),
    Row(
        "news-withdraw",
        SECRETARY,
        pk("news_pub"),
        method="post",
        data={"reason": "篡改"},
        ok=(302,),
    ),
    Row(
        "news-org-settings",
        SECRETARY,
        pk("org_obj"),
        method="post",
        data={"public": "1"},
        ok=(302,),
    ),
    # --- rating (issue 16). Branch 1's secretary: standards own (branch 1's draft), parent
    # (Putuo's, in use), sibling (Jingan's); rounds parent (Putuo's, branch 1 rated in it),
    # sibling (Jingan's); assessments own (branch 1's draft), sibling (branch 2's, submitted:
    # not public), far (Jingan's). Putuo's secretary reviews; branch 1's may not review its
    # own branch (403). ---
    *rows_for(
        ["rating-standard", "api-rating-standard-detail"],
        SECRETARY,
        pk("standard"),
        rels=STD_RELS,
        sees=STD_SEES,
    ),
    Row("rating-standard-copy", SECRETARY, pk("standard"), rels=STD_RELS, sees=STD_SEES),
    Row(
        "rating-standard-edit",
        SECRETARY,
        lambda w, rel: {"pk": w.standard[rel].pk, "part": "category"},
        rels=STD_RELS,
        sees=STD_SEES,
        refuses=("parent",),
        method="post",
        data={"name": "篡改"},
        ok=(200, 302, 400),
    ),
    Row(
        "rating-standard-edit-item",
        SECRETARY,
        lambda w, rel: {
            "pk": w.standard[rel].pk,
            "part": "category",
            "item": w.standard[rel].categories.first().pk,
        },
        rels=STD_RELS,
        sees=STD_SEES,
        refuses=("parent",),
        method="post",
        data={"name": "篡改"},
        ok=(200, 302, 400),
    ),
    Row(
        "api-rating-standard-detail",
        SECRETARY,
        pk("standard"),
        rels=STD_RELS,
        sees=STD_SEES,
        refuses=("parent",),
        method="patch",
        data={"title": "篡改"},
    ),
    Row(
        "api-rating-standard-copy",
        SECRETARY,
        pk("standard"),
        rels=STD_RELS,
        sees=STD_SEES,
        method="post",
        data=lambda w, rel: {"org": w.c.branch1.pk, "year": 2031},
        ok=(201,),
    ),
    # An open round is the organisers' (403 to the branch); a published one sends the
    # branch to its public notice, results and exports.
    Row(
        "rating-round",
        SECRETARY,
        pk("round"),
        rels=ROUND_RELS,
        sees=("parent",),
        refuses=("parent",),
    ),
    *rows_for(
        [
            "rating-round",
            "rating-publicity",
            "rating-results",
            "rating-results-xlsx",
            "rating-results-pdf",
            "api-rating-round",
            "api-rating-round-results",
        ],
        SECRETARY,
        pk("round_pub"),
        rels=ROUND_RELS,
        sees=("parent",),
        ok=(200, 302),
    ),
    *rows_for(
        [
            "rating-round",
            "rating-publicity",
            "rating-results",
            "api-rating-round",
            "api-rating-round-results",
        ],
        BUREAU,
        pk("round"),
        rels=ROUND_RELS,
        sees=("parent",),
    ),
    *rows_for(
        ["rating-round-step", "api-rating-round-start-publicity", "api-rating-round-publish"],
        SECRETARY,
        pk("round"),
        rels=ROUND_RELS,
        sees=("parent",),
        refuses=("parent",),
        method="post",
        data={"step": "start_publicity"},
    ),
    *rows_for(
        ["rating-round-step", "api-rating-round-start-publicity", "api-rating-round-publish"],
        BUREAU,
        pk("round"),
        rels=ROUND_RELS,
        sees=("parent",),
        method="post",
        data={"step": "start_publicity"},
        ok=(200, 302, 400, 409),  # not every branch reviewed yet
    ),
    *rows_for(
        ["rating-assessment", "rating-assessment-pdf", "api-rating-assessment"],
        SECRETARY,
        pk("assessment"),
        rels=ASSESS_RELS,
        sees=("own",),
    ),
    # Published assessments are public inside the round's organisation.
    *rows_for(
        [
            "rating-assessment",
            "rating-assessment-pdf",
            "api-rating-assessment",
            "api-rating-assessment-objections",
        ],
        SECRETARY,
        pk("assessment_pub"),
        rels=ASSESS_RELS,
        sees=("own", "sibling"),
    ),
    Row(
        "rating-assessment",
        SECRETARY,
        pk("assessment"),
        rels=ASSESS_RELS,
        sees=("own",),
        method="post",
        data={"action": "save", "summary": "篡改"},
        ok=(200, 302, 400, 409),
    ),
    Row(
        "api-rating-assessment-self",
        SECRETARY,
        pk("assessment"),
        rels=ASSESS_RELS,
        sees=("own",),
        method="patch",
        data=lambda w, rel: {"version": w.assessment[rel].version, "summary": "篡改"},
    ),
    *rows_for(
        ["api-rating-assessment-submit", "api-rating-assessment-files"],
        SECRETARY,
        pk("assessment"),
        rels=ASSESS_RELS,
        sees=("own",),
        method="post",
        data={"version": 0},
        ok=(200, 400, 409, 415),  # judged rows unscored; files come as multipart (415)
    ),
    # Branch 1's secretary reviews nothing of branch 1's (403), branch 2's is out of sight.
    *rows_for(
        ["rating-review", "api-rating-assessment-review", "api-rating-assessment-return"],
        SECRETARY,
        pk("assessment"),
        rels=ASSESS_RELS,
        sees=("own",),
        refuses=("own",),
        method="post",
        data={"version": 0, "reason": "篡改"},
    ),
    Row(
        "rating-review",
        SECRETARY,
        pk("assessment"),
        rels=ASSESS_RELS,
        refuses=("own",),
        sees=("own",),
    ),
    *rows_for(
        ["rating-star-change", "api-rating-assessment-star-changes"],
        SECRETARY,
        pk("assessment_pub"),
        rels=ASSESS_RELS,
        sees=("own", "sibling"),
        refuses=("own", "sibling"),
        method="post",
        data={"stars": 1, "reason": "篡改", "decision_ref": "篡改", "decided_on": "2026-03-05"},
    ),
    # Putuo's secretary reviews branch 1's and 2's (2's submitted); Jingan's is not theirs.
    Row("rating-review", BUREAU, pk("assessment"), rels=("sibling", "far"), sees=("sibling",)),
    *rows_for(
        ["rating-review", "api-rating-assessment-review", "api-rating-assessment-return"],
        BUREAU,
        pk("assessment"),
        rels=("sibling", "far"),
        sees=("sibling",),
        method="post",
        data=lambda w, rel: {"version": w.assessment[rel].version, "reason": "退回"},
        ok=(200, 302, 400),
    ),
    # Objections: raised during the notice only (over: 400); answered by the organisers.
    Row(
        "api-rating-assessment-objections",
        SECRETARY,
        pk("assessment_pub"),
        rels=ASSESS_RELS,
        sees=("own", "sibling"),
        method="post",
        data={"text": "篡改"},
        ok=(400, 409),
    ),
    Row(
        "api-rating-objection-answer",
        SECRETARY,
        pk("objection"),
        rels=("own", "far"),
        sees=("own",),
        refuses=("own",),
        method="post",
        data={"status": "upheld", "answer": "篡改"},
    ),
    Row(
        "api-rating-objection-answer",
        BUREAU,
        pk("objection"),
        rels=("own", "far"),
        sees=("own",),
        method="post",
        data={"status": "upheld", "answer": "篡改"},
        ok=(400, 409),  # answered already
    ),
    *rows_for(
        ["rating-branch-history", "api-rating-branch-history"],
        SECRETARY,
        pk_of("rated_org", "org_id"),
        rels=ASSESS_RELS,
        sees=("own", "sibling"),
    ),
    # --- observation: branch 1's secretary; the cycle is the parent's (Putuo's), the
    # visit hosted by branch 1 and its items are its own; Jingan's are the sibling. ---
    *rows_for(
        ["observation-cycle", "api-observation-cycle"],
        SECRETARY,
        pk("cycle"),
        rels=CYCLE_RELS,
        sees=("parent",),
    ),
    Row("observation-cycle-progress", SECRETARY, pk("cycle"), rels=CYCLE_RELS, sees=("parent",)),
    *rows_for(
        ["observation-cycle-close", "api-observation-cycle-swap"],
        SECRETARY,
        pk("cycle"),
        rels=CYCLE_RELS,
        sees=("parent",),
        refuses=("parent",),
        method="post",
        data={"reason": "篡改"},
    ),
    *rows_for(
        ["observation-cycle", "observation-cycle-progress", "api-observation-cycle"],
        BUREAU,
        pk("cycle"),
        rels=CYCLE_RELS,
        sees=("parent",),
    ),
    *rows_for(
        ["observation-visit", "api-observation-visit"],
        SECRETARY,
        pk("visit"),
        rels=OBS_RELS,
        sees=("own",),
    ),
    # The host's secretary sees the sheet's page but does not score its own branch.
    Row(
        "observation-field-score",
        SECRETARY,
        pk("visit"),
        rels=OBS_RELS,
        refuses=("own",),
        sees=("own",),
    ),
    *rows_for(
        ["observation-visit-act", "api-observation-visit-score"],
        SECRETARY,
        pk("visit"),
        rels=OBS_RELS,
        sees=("own",),
        refuses=("own",),
        method="post",
        data={
            "action": "feedback",
            "feedback": "篡改",
            "listen": 1,
            "client_uuid": str(uuid.uuid4()),
        },
    ),
    *rows_for(
        [
            "observation-rectification",
            "observation-field-rectification",
            "api-observation-rectification",
        ],
        SECRETARY,
        pk("rectification"),
        rels=OBS_RELS,
        sees=("own",),
    ),
    *rows_for(
        [
            "observation-rectification-close",
            "api-observation-rectification-close",
            "api-observation-rectification-evidence",
        ],
        SECRETARY,
        pk("rectification"),
        rels=OBS_RELS,
        sees=("own",),
        method="post",
        data={"note": ""},
        ok=(200, 302, 400, 415),  # no evidence note: the form again; files as multipart
    ),
    *rows_for(
        ["observation-rectification-reopen", "api-observation-rectification-reopen"],
        SECRETARY,
        pk("rectification"),
        rels=OBS_RELS,
        sees=("own",),
        refuses=("own",),
        method="post",
        data={"reason": "篡改"},
    ),
    Row("observation-evidence-file", SECRETARY, pk("rect_file"), rels=OBS_RELS, sees=("own",)),
    # --- honours: branch 1's secretary; kinds and calls are the parent's (Putuo's),
    # the honour branch 1's own; Jingan's the sibling. Nominations: branch 2's secretary's
    # own (branch 2 nominated itself). ---
    *rows_for(
        [
            "honours-call",
            "api-honours-call-detail",
            "api-honours-call-nominations",
        ],
        SECRETARY,
        pk("call"),
        rels=CYCLE_RELS,
        sees=("parent",),
    ),
    Row("api-honours-kind-detail", SECRETARY, pk("honour_kind"), rels=CYCLE_RELS, sees=("parent",)),
    Row(
        "honours-call-new",
        SECRETARY,
        pk("honour_kind"),
        rels=CYCLE_RELS,
        sees=("parent",),
        refuses=("parent",),
    ),
    Row(
        "honours-call-new",
        SECRETARY,
        pk("honour_kind"),
        rels=CYCLE_RELS,
        sees=("parent",),
        refuses=("parent",),
        method="post",
        data={"year": "2030", "nominate_until": "2099-01-01", "quota": "3"},
    ),
    Row(
        "honours-call-step",
        SECRETARY,
        lambda w, rel: {"pk": w.call[rel].pk, "action": "close"},
        rels=CYCLE_RELS,
        sees=("parent",),
        refuses=("parent",),
        method="post",
    ),
    *rows_for(
        ["api-honours-call-close", "api-honours-call-confer", "api-honours-call-publish"],
        SECRETARY,
        pk("call"),
        rels=CYCLE_RELS,
        sees=("parent",),
        refuses=("parent",),
        method="post",
    ),
    # Nominating needs a valid nominee: the empty form/body is refused, nothing written.
    *rows_for(
        ["honours-nominate", "honours-nominate-round", "api-honours-call-nominations"],
        SECRETARY,
        pk("call"),
        rels=CYCLE_RELS,
        sees=("parent",),
        method="post",
        data={"reason": ""},
        ok=(200, 400),
    ),
    Row("api-honours-nomination-detail", SIBLING, pk("nomination"), rels=NOM_RELS, sees=("own",)),
    *rows_for(
        ["honours-review", "api-honours-nomination-review"],
        SIBLING,
        pk("nomination"),
        rels=NOM_RELS,
        sees=("own",),
        refuses=("own",),
        method="post",
        data={"accept": "1", "decision": "accept", "reason": "篡改"},
    ),
    Row(
        "honours-withdraw",
        SIBLING,
        pk("nomination"),
        rels=NOM_RELS,
        sees=("own",),
        method="post",
        data={"note": "撤回"},
        ok=(200, 302),
    ),
    *rows_for(
        [
            "honours-honour",
            "honours-certificate",
            "api-honours-honour-detail",
            "api-honours-honour-certificate",
        ],
        SECRETARY,
        pk("honour"),
        rels=OBS_RELS,
        sees=("own",),
    ),
    Row(
        "honours-revoke",
        SECRETARY,
        pk("honour"),
        rels=OBS_RELS,
        sees=("own",),
        refuses=("own",),
        method="post",
        data={"reason": "篡改", "decision_ref": "篡改"},
    ),
    # --- the year-end dossier: branch 1's (own); group 1 and the Putuo party group have
    # none (404), branch 2's is out of scope (404). ---
    *rows_for(
        ["dossier", "api-dossier"],
        SECRETARY,
        DOSSIER,
        sees=("own",),
    ),
    *rows_for(
        ["dossier-pdf", "dossier-zip", "api-dossier-pdf", "api-dossier-zip"],
        SECRETARY,
        DOSSIER,
        sees=("own",),
        method="post",
        ok=(200, 201, 202, 302),
    ),
    # A plain member of group 1 does not reach branch 1 (`visible_orgs`): 404, not 403.
    *rows_for(["dossier", "api-dossier"], MEMBER, DOSSIER, rels=("own", "sibling"), sees=()),
    *rows_for(
        ["api-dossier-export", "api-dossier-export-file"],
        SECRETARY,
        pk("dossier_export"),
        rels=("own", "sibling"),
        sees=("own",),
    ),
]


@dataclass(frozen=True)
class ListRow:
    """An endpoint without an object in its URL (a list, a personal page, a create form).

    `shows(w, rel)`: what marks the rel's object in the answer (a text on a page, an id in
    an API list); the actor's answer holds those of `sees` and none of the others, the
    outsider's (status `outsider`) none at all.
    """

    name: str
    actor: str
    shows: Callable[[Any, str], Any] | None = None
    rels: tuple[str, ...] = RELS
    sees: tuple[str, ...] = ("own", "child")
    method: str = "get"
    data: dict[str, Any] | Callable[[Any], dict[str, Any]] = field(default_factory=dict)
    ok: tuple[int, ...] = (200,)
    outsider: tuple[int, ...] = (200,)
    kwargs: Callable[[Any], dict[str, Any]] | None = None
    #: The outsider's request changes only the outsider's own rows (a personal write).
    outsider_writes: bool = False

    def payload(self, w: Any) -> dict[str, Any]:
        return self.data(w) if callable(self.data) else self.data

    @property
    def api(self) -> bool:
        return self.name.startswith("api-")

    @property
    def id(self) -> str:
        return f"{self.name}:{self.method}"


def text_of(attr: str, key: str = "title") -> Callable[[Any, str], Any]:
    return lambda w, rel: getattr(getattr(w, attr)[rel], key)


def id_of(attr: str) -> Callable[[Any, str], Any]:
    return lambda w, rel: getattr(w, attr)[rel].pk


HIDDEN = (404,)  # an office page or API answers 404 to a user without an office post

LISTS: list[ListRow] = [
    ListRow("case-list", OFFICER, text_of("case"), outsider=HIDDEN),
    ListRow("case-map", OFFICER, outsider=HIDDEN),
    ListRow("case-map-data", OFFICER, id_of("case"), outsider=HIDDEN),
    ListRow("api-case-list", OFFICER, id_of("case")),
    ListRow("point-list", OFFICER, text_of("point", "name"), rels=POINT_RELS, outsider=HIDDEN),
    ListRow("api-point-list", OFFICER, id_of("point"), rels=POINT_RELS),
    ListRow("point-export", OFFICER, outsider=HIDDEN),
    ListRow("point-template", OFFICER, outsider=HIDDEN),
    ListRow("point-import", OFFICER, outsider=HIDDEN),
    ListRow("api-inspection-list", OFFICER, id_of("inspection"), rels=POINT_RELS),
    ListRow("api-point-category-list", OFFICER),
    ListRow("api-case-category-list", OFFICER),
    # Categories are the district's shared reference data: any signed-in user reads them.
    ListRow("api-point-category-detail", OFFICER, kwargs=lambda w: {"pk": w.market.pk}),
    ListRow("api-case-category-detail", OFFICER, kwargs=lambda w: {"pk": w.litter.pk}),
    ListRow("calendar", "district_admin", outsider=HIDDEN),
    ListRow("plan", OFFICER, outsider=HIDDEN),
    ListRow("plan-make", OFFICER, method="post", ok=(302,), outsider=HIDDEN),
    ListRow("notifications", "unit_staff"),
    ListRow("notifications-read-all", "unit_staff", method="post", ok=(302,), outsider=(302,)),
    ListRow("case-export", OFFICER, method="post", ok=(302,), outsider=HIDDEN),
    ListRow("dashboard", OFFICER, outsider=HIDDEN),
    ListRow("api-stats-summary", OFFICER, outsider=HIDDEN),
    ListRow("field-home", "grid_worker", outsider=HIDDEN),
    ListRow("field-report", "grid_worker", outsider=HIDDEN),
    # 我的上报: only the user's own reports (the world's cases were entered by the admin, so
    # none of the grid worker's visible ones shows).
    ListRow("field-my-reports", "grid_worker", text_of("case"), sees=(), outsider=HIDDEN),
    # Already reported?: without a place nothing; with one, scoped (cases/tests/
    # test_field_report.py: 404 for a point or an area outside scope).
    ListRow("api-case-nearby", OFFICER, id_of("case"), sees=()),
    ListRow("bulletin-list", OFFICER, outsider=HIDDEN),
    ListRow("api-bulletin-list", OFFICER, id_of("bulletin"), rels=AREA_RELS, sees=("own",)),
    ListRow(
        "bulletin-generate",
        OFFICER,
        method="post",
        data=lambda w: {"area": w.c.dapuqiao.pk, "day": "2026-01-06"},
        ok=(302,),
        outsider=HIDDEN,
    ),
    ListRow("bulletin-settings", "district_admin", outsider=HIDDEN),
    ListRow("public-feed-settings", "district_admin", outsider=HIDDEN),
    ListRow(
        "public-feed-settings",
        "district_admin",
        method="post",
        data=lambda w: {"district": w.c.huangpu.pk, "feed": "off", "coordinate_decimals": "3"},
        ok=(302,),
        outsider=HIDDEN,
    ),
    ListRow("ranking-index", "district_admin", ok=(302,), outsider=HIDDEN),
    ListRow(
        "api-ranking-list",
        "district_admin",
        id_of("ranking"),
        rels=("own", "sibling"),
        sees=("own",),
    ),
    ListRow("channel-home", OFFICER, text_of("channel_area", "name")),
    ListRow("letter-list", SECRETARY, outsider=HIDDEN),
    ListRow("api-letter-list", SECRETARY, id_of("letter"), rels=LETTER_RELS),
    ListRow("api-letter-item-list", SECRETARY, id_of("letter_item"), rels=LETTER_RELS),
    ListRow(
        "api-evidence-list", SECRETARY, id_of("evidence"), rels=("own", "sibling"), sees=("own",)
    ),
    ListRow(
        "letter-templates",
        SECRETARY,
        text_of("template"),
        rels=("own", "parent", "sibling"),
        sees=("own",),
        outsider=HIDDEN,
    ),
    ListRow("duties-mine", SECRETARY),
    ListRow("api-duties-mine", SECRETARY),
    ListRow("duties-lists", SECRETARY, text_of("duty_list"), sees=DUTY_SEES),
    ListRow("api-duty-list-list", SECRETARY, id_of("duty_list"), sees=DUTY_SEES),
    # Creating a list for an organisation outside one's scope: refused, nothing made.
    ListRow(
        "api-duty-list-list",
        SECRETARY,
        method="post",
        data=lambda w: {"owner": w.c.branch2.pk, "year": 2027, "title": "篡改"},
        ok=(404,),
        outsider=(404,),
    ),
    # Evidence for a letter outside one's scope: refused, nothing stored.
    ListRow(
        "api-evidence-list",
        SECRETARY,
        method="post",
        data=lambda w: {
            "letter": w.letter["sibling"].pk,
            "items": [w.letter_item["sibling"].pk],
            "title": "篡改",
            "note": "篡改",
        },
        ok=(404,),
        outsider=(404,),
    ),
    # Creating a duty post or a duty in a list outside one's scope: refused, nothing made.
    ListRow(
        "api-duty-post-list",
        SECRETARY,
        method="post",
        data=lambda w: {
            "duty_list": w.duty_list["sibling"].pk,
            "level": "branch",
            "post": "member",
        },
        ok=(400, 404),
        outsider=(400, 404),
    ),
    ListRow(
        "api-duty-list",
        SECRETARY,
        method="post",
        data=lambda w: {"duty_post": w.duty_post["sibling"].pk, "text": "篡改"},
        ok=(400, 404),
        outsider=(400, 404),
    ),
    ListRow("duties-list-new", SECRETARY, outsider=HIDDEN),
    ListRow("org-tree", SECRETARY),
    ListRow("api-org-list", SECRETARY, id_of("org")),
    ListRow("area-tree", OFFICER),
    ListRow("api-area-list", OFFICER, id_of("area")),
    ListRow("api-unit-list", OFFICER, id_of("unit"), rels=("own", "sibling"), sees=("own",)),
    ListRow(
        "unit-options", OFFICER, text_of("unit", "name"), rels=("own", "sibling"), sees=("own",)
    ),
    ListRow("person-list", SECRETARY, text_of("person", "name")),
    ListRow("api-person-list", SECRETARY, id_of("person")),
    ListRow("api-post-list", SECRETARY, id_of("post")),
    ListRow("person-new", "district_admin", outsider=(403,)),
    ListRow("audit-log", OFFICER, outsider=HIDDEN),
    # Staging a photo: an empty upload is refused for everyone, and stores nothing.
    ListRow("api-upload-list", "grid_worker", method="post", ok=(415,), outsider=(403,)),
    ListRow("api-me", OFFICER),
    # The work-bench: the officer's own street's report waits to be accepted; the dispatched
    # case (child) waits for the unit, the others are outside the street.
    ListRow("home", OFFICER, text_of("case"), sees=("own",)),
    ListRow(
        "workbench-kind",
        OFFICER,
        text_of("case"),
        sees=("own",),
        kwargs=lambda w: {"key": "cases.accept"},
        outsider=HIDDEN,
    ),
    ListRow("my-posts", OFFICER),
    ListRow("account", OFFICER),
    # The language choice is one's own: a bad choice is refused at the field, nothing saved.
    ListRow("account", OFFICER, method="post", data={"language": "fr"}),
    ListRow("password-change", OFFICER),
    ListRow("totp-setup", OFFICER, outsider=(302,)),  # offered to office roles only
    # --- meetings ---
    ListRow("meetings-list", SECRETARY, text_of("meeting")),
    ListRow("meetings-new", SECRETARY, outsider=HIDDEN),
    # My meetings (the roster): invited to own and child.
    ListRow("meetings-mine", SECRETARY, text_of("meeting")),
    ListRow("meetings-field-home", SECRETARY, text_of("meeting")),
    ListRow("meetings-field-sign", SECRETARY),
    ListRow("meetings-makeups", SECRETARY, text_of("held"), rels=MAKE_UP_RELS),
    ListRow("meetings-compliance", SECRETARY, outsider=HIDDEN),
    ListRow("meetings-compliance-xlsx", SECRETARY, outsider=HIDDEN),
    # The rules are set by the district and the top organisations' secretaries: a branch's
    # secretary is not offered the page (404), the district admin is.
    ListRow("meetings-compliance-rules", SECRETARY, ok=(404,), outsider=HIDDEN),
    ListRow("meetings-compliance-rules", "district_admin", outsider=HIDDEN),
    # One's own calendar feed: the outsider's POST makes the outsider's own feed.
    ListRow(
        "meetings-feed-create",
        SECRETARY,
        method="post",
        ok=(302,),
        outsider=(302,),
        outsider_writes=True,
    ),
    ListRow("meetings-feed-revoke", SECRETARY, method="post", ok=(302,), outsider=(302,)),
    ListRow("api-meeting-list", SECRETARY, id_of("meeting")),
    # Planning a meeting of an organisation outside one's scope: refused (403 whether it
    # exists or not, api_plan.MeetingViewSet.create), nothing written.
    ListRow(
        "api-meeting-list",
        SECRETARY,
        method="post",
        data=lambda w: {
            "org": w.c.branch2.pk,
            "kind": "branch_assembly",
            "title": "篡改",
            "place": "篡改",
            "starts_at": "2030-01-05T09:00:00+08:00",
            "ends_at": "2030-01-05T11:00:00+08:00",
        },
        ok=(403,),
        outsider=(403,),
    ),
    # Signing in with the code of another organisation's meeting: 404, nothing written.
    ListRow(
        "api-meetings-signin",
        SECRETARY,
        method="post",
        data=lambda w: {
            "code": meeting_signin.screen_code(w.meeting["sibling"]),
            "client_uuid": str(uuid.uuid4()),
        },
        ok=(404,),
        outsider=(404,),
    ),
    ListRow("api-meetings-makeups", SECRETARY, id_of("make_up"), rels=MAKE_UP_RELS),
    ListRow("api-meetings-compliance", SECRETARY, outsider=HIDDEN),
    ListRow("api-meetings-compliance-rules", SECRETARY, outsider=HIDDEN),
    # --- news ---
    ListRow("news-list", SECRETARY, text_of("news"), outsider=HIDDEN),
    ListRow("news-new", SECRETARY, outsider=HIDDEN),
    ListRow("api-news-list", SECRETARY, id_of("news_pub")),
    # --- rating ---
    ListRow("rating-standards", SECRETARY, text_of("standard"), rels=STD_RELS, sees=STD_SEES),
    ListRow("api-rating-standard-list", SECRETARY, id_of("standard"), rels=STD_RELS, sees=STD_SEES),
    ListRow("rating-standard-new", SECRETARY, outsider=HIDDEN),
    ListRow("api-rating-metrics", SECRETARY),
    # Issuing a standard for an organisation outside one's scope: refused, nothing made.
    ListRow(
        "api-rating-standard-list",
        SECRETARY,
        method="post",
        data=lambda w: {"org": w.c.branch2.pk, "year": 2030, "title": "篡改"},
        ok=(400, 403, 404),
        outsider=(400, 403, 404),
    ),
    ListRow(
        "rating-standard-new",
        SECRETARY,
        method="post",
        data=lambda w: {"org": w.c.branch2.pk, "year": "2030", "title": "篡改"},
        ok=(400,),
        outsider=HIDDEN,
    ),
    ListRow("rating-my", SECRETARY, text_of("rated_org", "name"), rels=ASSESS_RELS, sees=("own",)),
    ListRow("rating-rounds", BUREAU, text_of("round"), rels=ROUND_RELS, sees=("parent",)),
    ListRow("api-rating-rounds", BUREAU, id_of("round"), rels=ROUND_RELS, sees=("parent",)),
    ListRow(
        "api-rating-assessments", SECRETARY, id_of("assessment"), rels=ASSESS_RELS, sees=("own",)
    ),
    # Opening a round over an organisation outside one's scope: refused, nothing made.
    ListRow(
        "api-rating-rounds",
        BUREAU,
        method="post",
        data=lambda w: {
            "org": w.cycle["sibling"].org_id,
            "standard": w.standard["sibling"].pk,
            "year": 2030,
            "self_due": "2030-12-20",
        },
        ok=(400, 403, 404),
        outsider=(400, 403, 404),
    ),
    ListRow(
        "rating-rounds",
        BUREAU,
        method="post",
        data=lambda w: {
            "org": w.cycle["sibling"].org_id,
            "standard": w.standard["sibling"].pk,
            "year": "2030",
            "self_due": "2030-12-20",
        },
        ok=(200, 400),
        outsider=(403, 404),
    ),
    # --- observation ---
    ListRow("observation-cycles", SECRETARY, text_of("cycle"), rels=CYCLE_RELS, sees=("parent",)),
    ListRow("api-observation-cycles", SECRETARY, id_of("cycle"), rels=CYCLE_RELS, sees=("parent",)),
    ListRow(
        "api-observation-rectifications",
        SECRETARY,
        id_of("rectification"),
        rels=OBS_RELS,
        sees=("own",),
    ),
    ListRow("observation-field-home", SECRETARY),
    # Opening a cycle over an organisation outside one's scope: refused, nothing made.
    ListRow(
        "api-observation-cycles",
        BUREAU,
        method="post",
        data=lambda w: {
            "org": w.cycle["sibling"].org_id,
            "title": "篡改",
            "starts_on": "2030-01-01",
            "ends_on": "2030-03-01",
        },
        ok=(400, 403, 404),
        outsider=(400, 403, 404),
    ),
    # --- honours ---
    ListRow("honours-kinds", SECRETARY, text_of("call", "year"), rels=(), sees=()),
    ListRow("honours-kind-new", BUREAU, outsider=(403,)),
    ListRow(
        "honours-kind-new",
        BUREAU,
        method="post",
        data=lambda w: {
            "org": w.cycle["sibling"].org_id,
            "name": "篡改",
            "code": "CG",
            "target": "org",
        },
        ok=(200, 400),
        outsider=(403,),
    ),
    ListRow("honours-list", SECRETARY, text_of("honour", "number"), rels=OBS_RELS, sees=("own",)),
    ListRow(
        "api-honours-kind-list", SECRETARY, id_of("honour_kind"), rels=CYCLE_RELS, sees=("parent",)
    ),
    ListRow("api-honours-call-list", SECRETARY, id_of("call"), rels=CYCLE_RELS, sees=("parent",)),
    ListRow(
        "api-honours-nomination-list", SIBLING, id_of("nomination"), rels=NOM_RELS, sees=("own",)
    ),
    ListRow("api-honours-honour-list", SECRETARY, id_of("honour"), rels=OBS_RELS, sees=("own",)),
    # --- dossier ---
    ListRow("dossier-index", SECRETARY, outsider=(403,)),  # no post that produces dossiers
]

#: Endpoints outside the matrix, and why. Everything else must be a row above.
PUBLIC = {
    "healthz": "load balancer probe, no data",
    "favicon.ico": "static file",
    "csp-report": "browsers' Content-Security-Policy reports: logged, no data (test_csp)",
    "set_language": "Django's language switch; stores only the signed-in user's own choice "
    "(orgs/tests/test_account_language.py)",
    "login": "the way in",
    "login-otp": "second step of the way in (needs the first step's session)",
    "logout": "the way out",
    "api-token": "the API's way in (axes-limited, tested in api/tests)",
    "api-schema": "OpenAPI schema, no data",
    "api-docs": "schema viewer, no data",
    "api-redoc": "schema viewer, no data",
    "api-root": "DRF's browsable index, links only",
    "api-not-found": "the API's JSON 404 for paths no route takes (api/tests/test_errors.py)",
    "letter-verify": "public check of a printed letter's code (letters/tests/test_integrity)",
    "document-verify": "public check of any signed document's code (core/tests/test_signing_kit)",
    "field-sw": "the phone pages' service worker script",
    "field-manifest": "the phone pages' web manifest",
    "open311-discovery": "Open311 GeoReport v2 is public by design (cases/tests/test_open311)",
    "open311-services": "Open311, public",
    "open311-service-definition": "Open311, public",
    "open311-requests": "Open311, public: public reports and cases marked public, text for "
    "the public only (cases/tests/test_open311)",
    "open311-request-detail": "Open311, public (as open311-requests)",
    "^media/(?P<path>.*)$": "DEBUG-only static serving of media",
    # config/urls.py under DEBUG: the photo folders only (core/tests/test_dev_media.py, which
    # reloads the URLconf, so a later test on the same worker may see this route).
    "^media/(?P<folder>uploads|cases)/(?P<path>.+)$": "DEBUG-only serving of the photo folders",
    "bench-baseline": "benchmark baseline, only when JULI_BENCH_BASELINE is set",
    "meetings-feed": "a person's private iCalendar feed, reached by its secret token only "
    "(revocable; unknown token 404: meetings/tests/test_feed_plan.py)",
}
#: The admin site (/admin/…) scopes its querysets itself; tested in */tests/test_admin.py.
ADMIN_PREFIX = "admin/"
#: Apps that only the test settings install: their URLs have access tests in their own folders.
TEST_ONLY = tuple(f"{a}." for a in set(settings.INSTALLED_APPS) - set(production.INSTALLED_APPS))


def _walk(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, str]]:
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if getattr(pattern.urlconf_module, "__name__", "").startswith(TEST_ONLY):
                continue
            yield from _walk(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            yield route, pattern.name or route


def endpoint_keys() -> set[str]:
    return {key for route, key in _walk(get_resolver()) if not route.startswith(ADMIN_PREFIX)}


def test_it_knows_every_endpoint():
    covered = {r.name for r in ROWS} | {r.name for r in LISTS}
    missing = endpoint_keys() - covered - set(PUBLIC)
    assert sorted(missing) == []
    assert sorted(covered & set(PUBLIC)) == []


# --------------------------------------------------------------------------------------
# Running a row
# --------------------------------------------------------------------------------------

WRITES = {"post", "patch", "put", "delete"}


def _tables() -> list[tuple[str, str]]:
    """(label, table) of every concrete model of the project's apps and of the users."""
    return sorted(
        {
            (m._meta.label, m._meta.db_table)
            for m in apps.get_models(include_auto_created=True)
            if m.__module__.startswith("juli.") and not m._meta.proxy and m._meta.managed
        }
    )


def db_state() -> dict[str, str]:
    """A digest of every row of every table of the project's apps (and the users)."""
    state = {}
    with connections["default"].cursor() as cursor:
        for label, table in _tables():
            cursor.execute(f"SELECT * FROM {table} ORDER BY 1")  # noqa: S608 - model tables
            state[label] = hashlib.sha256(repr(cursor.fetchall()).encode()).hexdigest()
    return state


def changed(before: dict[str, str]) -> list[str]:
    """The tables whose rows differ from `before`."""
    after = db_state()
    return sorted(label for label, digest in after.items() if before.get(label) != digest)


def user_of(w: Any, name: str) -> Any:
    return getattr(w.c, name, None) or getattr(w, name)


def client_for(user: Any) -> Client:
    """A client logged in as `user` (before any snapshot: logging in writes last_login)."""
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def call(client: Client, method: str, url: str, data: dict[str, Any], api: bool) -> Any:
    cache.clear()
    if method == "get":
        return client.get(url)
    if method == "post" and not api:
        return client.post(url, data)
    return getattr(client, method)(url, json.dumps(data), content_type="application/json")


def assert_refused_anonymous(
    response: Any, api: bool, statuses: tuple[int, ...] | None = None
) -> None:
    if statuses is not None:  # a page readable without signing in when its owner chose so
        assert response.status_code in statuses
    elif api:
        assert response.status_code in {401, 403}
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def content_has(response: Any, marker: Any, api: bool) -> bool:
    """Whether the answer shows `marker`: an id in a JSON list, else a text on the page."""
    if response["Content-Type"].startswith("application/json"):
        body: Any = response.json()
        items: Any = body.get("results", body.get("cases", [])) if isinstance(body, dict) else body
        return marker in {item.get("id") for item in items if isinstance(item, dict)}
    return str(marker) in response.content.decode()


SCOPED = [(row, rel) for row in ROWS for rel in row.rels]


@pytest.mark.parametrize(("row", "rel"), SCOPED, ids=[f"{row.id}-{rel}" for row, rel in SCOPED])
def test_it_scopes_every_object_endpoint(mw, db, row, rel):
    url = reverse(row.name, kwargs=row.kwargs(mw, rel))
    client = client_for(user_of(mw, row.actor))
    allowed = rel in row.sees and rel not in row.refuses
    before = db_state() if row.method in WRITES and not allowed else None
    response = call(client, row.method, url, row.payload(mw, rel), row.api)
    if allowed:
        assert response.status_code in row.ok, (url, response.status_code)
    else:
        assert response.status_code == (403 if rel in row.sees else 404), (
            url,
            response.status_code,
        )
        if before is not None:
            assert changed(before) == []


@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
def test_it_refuses_anonymous_and_outsider_on_object_endpoints(mw, db, row):
    rel = row.rels[0]
    url = reverse(row.name, kwargs=row.kwargs(mw, rel))
    data = row.payload(mw, rel)
    anonymous, outsider = client_for(None), client_for(mw.c.outsider)
    before = db_state() if row.method in WRITES else None
    answer = call(anonymous, row.method, url, data, row.api)
    assert_refused_anonymous(answer, row.api, row.anonymous)
    response = call(outsider, row.method, url, data, row.api)
    assert response.status_code in row.outsider, (url, response.status_code)
    if before is not None:
        assert changed(before) == []


@pytest.mark.parametrize("row", LISTS, ids=[row.id for row in LISTS])
def test_it_scopes_every_list_endpoint(mw, db, row):
    url = reverse(row.name, kwargs=row.kwargs(mw) if row.kwargs else None)
    data = row.payload(mw)
    anonymous, outsider_client = client_for(None), client_for(mw.c.outsider)
    actor = client_for(user_of(mw, row.actor))
    before = db_state() if row.method in WRITES else None
    assert_refused_anonymous(call(anonymous, row.method, url, data, row.api), row.api)
    outsider = call(outsider_client, row.method, url, data, row.api)
    assert outsider.status_code in row.outsider, (url, outsider.status_code)
    if before is not None and not row.outsider_writes:
        assert changed(before) == []
    if row.shows is not None and outsider.status_code == 200:
        assert [rel for rel in row.rels if content_has(outsider, row.shows(mw, rel), row.api)] == []
    if before is not None and row.ok[0] >= 400:
        before = db_state()
    response = call(actor, row.method, url, data, row.api)
    assert response.status_code in row.ok, (url, response.status_code)
    if before is not None and row.ok[0] >= 400:
        assert changed(before) == []
    if row.shows is not None:
        shown = [rel for rel in row.rels if content_has(response, row.shows(mw, rel), row.api)]
        assert shown == list(row.sees)


# --------------------------------------------------------------------------------------
# Tampering: fields that must never be set directly, skipped steps, foreign ids
# --------------------------------------------------------------------------------------


def row_of(obj: Any) -> dict[str, Any]:
    """The object's row as it is in the database now."""
    return type(obj)._base_manager.filter(pk=obj.pk).values().get()


def api_send(who: Any, method: str, url: str, data: dict[str, Any], **extra: Any) -> Any:
    """Send JSON as `who`: a logged-in Client, or a user to log in now."""
    client = who if isinstance(who, Client) else client_for(who)
    return getattr(client, method)(url, json.dumps(data), content_type="application/json", **extra)


CASE_TAMPER = {
    "status": "closed",
    "area": 0,
    "area_path": "0001",
    "unit": 0,
    "reporter": 0,
    "verified_by": 0,
    "rectified_by": 0,
    "closed_at": "2026-01-05T10:00:00+08:00",
}


def _tamper(w: Any) -> dict[str, Any]:
    """CASE_TAMPER with ids of things outside Dapuqiao's street."""
    return {
        **CASE_TAMPER,
        "area": w.c.huaihai.pk,
        "unit": w.c.anyang_unit.pk,
        "reporter": w.c.outsider.pk,
        "verified_by": w.c.street_officer.pk,
        "rectified_by": w.c.street_officer.pk,
    }


READ_ONLY_API = [
    ("api-case-detail", "case", "own"),
    ("api-point-detail", "point", "own"),
    ("api-inspection-detail", "inspection", "own"),
    ("api-letter-detail", "letter", "own"),
    ("api-letter-item-detail", "letter_item", "own"),
    ("api-org-detail", "org", "own"),
    ("api-area-detail", "area", "own"),
    ("api-unit-detail", "unit", "own"),
    ("api-person-detail", "person", "own"),
    ("api-post-detail", "post", "own"),
    ("api-bulletin-detail", "bulletin", "own"),
    ("api-ranking-detail", "ranking", "own"),
]


@pytest.mark.parametrize("method", ["patch", "put", "delete"])
@pytest.mark.parametrize(("name", "attr", "rel"), READ_ONLY_API)
def test_it_refuses_writes_through_read_only_api_endpoints(mw, db, name, attr, rel, method):
    obj = getattr(mw, attr)[rel]
    data = {**_tamper(mw), "org": mw.c.branch2.pk, "owner": mw.c.outsider.pk, "name": "篡改"}
    client = client_for(mw.c.platform_admin)  # even the superuser: these are read-only
    before = db_state()
    response = getattr(client, method)(
        reverse(name, kwargs={"pk": obj.pk}), json.dumps(data), content_type="application/json"
    )
    assert response.status_code == 405
    assert changed(before) == []


def test_it_ignores_status_scope_and_people_fields_when_a_case_is_reported(mw, db):
    c = mw.c
    body = {
        **_tamper(mw),
        "category": mw.litter.pk,
        "area": c.grid1.pk,
        "source": "grid_worker",
        "title": "新问题",
    }
    response = api_send(
        c.grid_worker, "post", "/api/v1/cases/", body, HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())
    )
    assert response.status_code == 201
    case = Case.objects.get(pk=response.json()["id"])
    assert (case.status, case.area, case.unit, case.reporter) == (
        "reported",
        c.grid1,
        None,
        c.grid_worker,
    )
    assert (case.verified_by, case.rectified_by, case.closed_at) == (None, None, None)
    assert list(case.events.values_list("action", flat=True)) == ["report"]


@pytest.mark.parametrize(
    ("field", "target"),
    [("area", lambda w: w.c.grid2), ("area", lambda w: w.c.huaihai), ("point", "sibling")],
)
def test_it_refuses_to_report_a_case_outside_the_reporters_scope(mw, db, field, target):
    value = mw.point["sibling"].pk if target == "sibling" else target(mw).pk
    body = {"category": mw.litter.pk, field: value, "source": "grid_worker", "title": "越界"}
    grid_worker = client_for(mw.c.grid_worker)
    before = db_state()
    response = api_send(
        grid_worker, "post", "/api/v1/cases/", body, HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {field: ["Unknown or not in your scope."]}, response.json()
    assert changed(before) == []


def test_it_refuses_an_inspection_of_a_point_outside_the_inspectors_scope(mw, db):
    body = {
        "point": mw.point["sibling"].pk,
        "started_at": datetime.datetime.now(datetime.UTC).isoformat(),
        "results": [{"item": mw.item.pk, "passed": True}],
        "inspector": mw.c.district_admin.pk,
        "area_path": mw.c.huaihai.path,
    }
    inspector = client_for(mw.c.inspector)
    before = db_state()
    response = api_send(
        inspector, "post", "/api/v1/inspections/", body, HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {"point": ["Unknown or not in your scope."]}
    assert changed(before) == []


def test_it_records_an_inspection_as_its_inspector_whatever_the_body_says(mw, db):
    body = {
        "point": mw.point["own"].pk,
        "started_at": datetime.datetime.now(datetime.UTC).isoformat(),
        "results": [{"item": mw.item.pk, "passed": True}],
        "inspector": mw.c.district_admin.pk,
        "area_path": mw.c.huaihai.path,
    }
    response = api_send(
        mw.c.inspector, "post", "/api/v1/inspections/", body, HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())
    )
    assert response.status_code == 201
    inspection = mw.point["own"].inspections.get(pk=response.json()["id"])
    assert (inspection.inspector, inspection.area_path) == (mw.c.inspector, mw.c.grid1.path)


def _in_status(w: Any, status: str) -> Case:
    """The child case (grid 1, dispatched to the property company) moved to `status`."""
    case = w.case["child"]
    if status == "accepted":
        return case_actions.accept_case(w.c.street_officer, w.case["own"])
    if status in {"rectified", "verified"}:
        case_actions.attach_photo(w.c.unit_staff, case, "after", photo((0, 9, 0)).file)
        case = case_actions.rectify_case(w.c.unit_staff, case)
    if status == "verified":
        case = case_actions.verify_case(w.c.inspector, case)
    return Case.objects.get(pk=case.pk)


def _page_act(user: Any, case: Case, action: str, **fields: Any) -> Any:
    data = {
        f"{action}-client_uuid": str(uuid.uuid4()),
        f"{action}-expected_status": case.status,
        f"{action}-note": "跳过",
        **{f"{action}-{k}": v for k, v in fields.items()},
    }
    return client_for(user).post(reverse("case-act", args=[case.pk, action]), data)


def _api_act(user: Any, case: Case, action: str, **fields: Any) -> Any:
    body = {"action": action, "note": "跳过", **fields}
    return api_send(user, "post", reverse("api-case-transitions", args=[case.pk]), body)


@pytest.mark.parametrize("via", ["page", "api"])
@pytest.mark.parametrize(
    ("status", "action", "actor", "codes"),
    [
        ("dispatched", "close", "street_officer", (409, 409)),  # skip rectify and verify
        ("rectified", "close", "street_officer", (409, 409)),  # skip verify
        ("accepted", "verify", "inspector", (404, 409)),  # verify what was never dispatched
        ("dispatched", "verify", "inspector", (404, 409)),  # …or never rectified
        ("rectified", "verify", "unit_staff", (404, 403)),  # the unit does not verify itself
        ("rectified", "verify", "grid_worker", (404, 403)),
    ],
)
def test_it_refuses_to_skip_the_verify_step(mw, db, via, status, action, actor, codes):
    """Page: office roles only (the others get 404, as an unknown URL); API: every role."""
    case = _in_status(mw, status)
    before, events = row_of(case), case.events.count()
    act, code = (_page_act, codes[0]) if via == "page" else (_api_act, codes[1])
    response = act(getattr(mw.c, actor), case, action)
    assert response.status_code == code
    assert row_of(case) == before
    assert case.events.count() == events


@pytest.mark.parametrize("via", [_page_act, _api_act], ids=["page", "api"])
def test_it_refuses_to_verify_ones_own_rectification(mw, db, via):
    c = mw.c
    case = mw.case["child"]
    case_actions.attach_photo(c.street_officer, case, "after", photo((0, 7, 0)).file)
    case = case_actions.rectify_case(c.street_officer, case)  # on the unit's behalf
    before, events = row_of(case), case.events.count()
    response = via(c.street_officer, case, "verify")
    assert response.status_code == 400
    assert row_of(case) == before
    assert case.events.count() == events
    assert _api_act(c.inspector, case, "verify").status_code == 200
    assert Case.objects.get(pk=case.pk).status == "verified"


@pytest.mark.parametrize("via", [_page_act, _api_act], ids=["page", "api"])
@pytest.mark.parametrize("unit", ["anyang_unit", "putuo_unit"])
def test_it_refuses_to_dispatch_to_a_unit_outside_the_officers_scope(mw, db, via, unit):
    case = case_actions.accept_case(mw.c.street_officer, mw.case["own"])
    before, events = row_of(case), case.events.count()
    response = via(mw.c.street_officer, case, "dispatch", unit=getattr(mw.c, unit).pk)
    assert response.status_code == 400
    assert row_of(case) == before
    assert case.events.count() == events
    ok = via(mw.c.street_officer, case, "dispatch", unit=mw.c.property_co.pk)
    assert ok.status_code in {200, 302}
    assert Case.objects.get(pk=case.pk).unit == mw.c.property_co


def test_it_keeps_a_channels_scope_whatever_the_form_says(mw, db):
    channel = mw.channel_area["own"]
    data = {
        "name": "改名",
        "kind": "email",
        "target": "new@example.cn",
        "kinds": ["bulletin"],
        "covers_subtree": "on",
        "is_active": "on",
        "org": mw.c.branch2.pk,
        "area": mw.c.huaihai.pk,
        "unit": mw.c.anyang_unit.pk,
        "created_at": "2020-01-01T00:00:00Z",
    }
    before = row_of(channel)
    response = client_for(mw.c.street_officer).post(
        reverse("channel-edit", args=[channel.pk]), data
    )
    assert response.status_code == 302
    after = row_of(channel)
    assert after["name"] == "改名"
    keep = ("org_id", "area_id", "unit_id", "created_at")
    assert [after[k] for k in keep] == [before[k] for k in keep]


def test_it_keeps_a_duty_lists_owner_and_year_whatever_the_api_says(mw, db):
    duty_list = mw.duty_list["child"]  # group 1's list: branch 1's secretary sets it
    before = row_of(duty_list)
    body = {"title": "改名", "owner": mw.c.branch2.pk, "year": 1999, "copied_from": 1}
    response = api_send(
        mw.c.branch_secretary, "patch", reverse("api-duty-list-detail", args=[duty_list.pk]), body
    )
    assert response.status_code == 200
    after = row_of(duty_list)
    assert after["title"] == "改名"
    keep = ("owner_id", "year", "copied_from_id")
    assert [after[k] for k in keep] == [before[k] for k in keep]


def test_it_keeps_a_duty_posts_list_whatever_the_api_says(mw, db):
    post = mw.duty_post["child"]
    before = row_of(post)
    body = {"title": "改名", "duty_list": mw.duty_list["sibling"].pk, "level": "group"}
    url = reverse("api-duty-post-detail", args=[post.pk])
    response = api_send(mw.c.branch_secretary, "patch", url, body)
    assert response.status_code == 200
    after = row_of(post)
    assert after["title"] == "改名"
    assert (after["duty_list_id"], after["level"]) == (before["duty_list_id"], before["level"])


def test_it_keeps_a_duty_in_its_post_whatever_the_api_says(mw, db):
    duty = mw.duty["child"]
    before = row_of(duty)
    body = {"text": "改写", "duty_post": mw.duty_post["sibling"].pk}
    response = api_send(
        mw.c.branch_secretary, "patch", reverse("api-duty-detail", args=[duty.pk]), body
    )
    assert response.status_code == 200
    after = row_of(duty)
    assert (after["text"], after["duty_post_id"]) == ("改写", before["duty_post_id"])


@pytest.mark.parametrize(
    ("name", "target", "data"),
    [
        # A new list owned by an organisation outside the secretary's subtree.
        ("duties-list-new", None, lambda w: {"owner": w.c.branch2.pk, "year": 2027, "title": "x"}),
        # A person moved into a sibling organisation or a foreign unit.
        (
            "person-edit",
            lambda w: w.person["own"],
            lambda w: {"name": "冯党员", "phone": "13800000011", "party_org": w.c.branch2.pk},
        ),
        (
            "person-edit",
            lambda w: w.person["own"],
            lambda w: {"name": "冯党员", "phone": "13800000011", "unit": w.c.anyang_unit.pk},
        ),
        # Someone outside the secretary's scope appointed in branch 1.
        (
            "post-new",
            lambda w: w.c.branch1,
            lambda w: {"person": w.c.outsider_person.pk, "role": "committee_member"},
        ),
    ],
    ids=["list-owner", "person-org", "person-unit", "post-person"],
)
def test_it_refuses_foreign_ids_in_form_fields(mw, db, name, target, data):
    url = reverse(name, args=[target(mw).pk] if target else [])
    client = client_for(mw.c.branch_secretary)
    before = db_state()
    response = client.post(url, data(mw))
    assert response.status_code == 200  # the form again, with the error
    assert "Select a valid choice" in response.content.decode()
    assert changed(before) == []


def test_it_keeps_a_templates_organisation_whatever_the_form_says(mw, db):
    template = mw.template["own"]
    before = row_of(template)
    data = {
        "what": "head",
        "title": "改名",
        "preamble": "。",
        "org": mw.c.branch2.pk,
        "year": 1999,
        "level": "branch",
    }
    response = client_for(mw.c.branch_secretary).post(
        reverse("letter-template", args=[template.pk]), data
    )
    assert response.status_code == 302
    after = row_of(template)
    assert after["title"] == "改名"
    keep = ("org_id", "year", "level")
    assert [after[k] for k in keep] == [before[k] for k in keep]
