"""Demo data: the Putuo greening and city-appearance bureau's responsibility letters (seed 000).

Last year's template and letters, signed and assessed; this year's template copied from it,
issued to the four branches, signed at the yearly meeting on 26 March with drawn signatures,
evidence collected month by month (photos, documents and notes), and the organ branch's
self-assessment in progress. Everything is written through `actions`, as a user would;
only the timestamps are moved back to the days the work happened (a demo has no past).

The bureau secretary (`bureau_secretary`) and the organ branch secretary (`branch_secretary`)
are the org demo's logins; the three centre branches' secretaries get accounts here
(`putuo_lh_secretary`, `putuo_hw_secretary`, `putuo_sr_secretary`, demo password), so that
each party of a letter can sign in and see it.
"""

from __future__ import annotations

import datetime
import io
import random
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from juli.core.demo import DemoRun, demo_step
from juli.orgs import actions as org_actions
from juli.orgs.models import PartyOrg, User

from . import actions, queries
from .models import Evidence, Letter, LetterEvent, LetterTemplate, Signature, Status

ISSUER_CODE = "PT-DZ"
#: The accounts this step creates (the demo command and `juli serve` list them).
DEMO_LOGINS: list[tuple[str, str]] = [
    (
        "putuo_lh_secretary",
        "普陀区绿化市容局绿化中心党支部 书记 / Putuo greening centre branch secretary",
    ),
    (
        "putuo_hw_secretary",
        "普陀区绿化市容局环卫中心党支部 书记 / Putuo sanitation centre branch secretary",
    ),
    (
        "putuo_sr_secretary",
        "普陀区绿化市容局市容中心党支部 书记 / Putuo city-appearance centre branch secretary",
    ),
]
#: Branch code → login of its secretary (the first exists in the org demo).
BRANCH_LOGINS = {
    "PT-JG": "branch_secretary",
    "PT-LH": "putuo_lh_secretary",
    "PT-HW": "putuo_hw_secretary",
    "PT-SR": "putuo_sr_secretary",
}

ITEMS: list[tuple[str, str, str, str, str]] = [
    (
        "一、政治建设",
        "落实“第一议题”制度，及时传达学习党中央和上级党组织重要会议精神",
        "全年学习不少于12次，有记录",
        "10",
        "学习记录、会议纪要",
    ),
    (
        "一、政治建设",
        "开展党纪学习教育，组织党员参加集中学习和专题研讨",
        "集中学习不少于4次，研讨不少于2次",
        "8",
        "学习签到表、研讨材料",
    ),
    (
        "二、组织建设",
        "规范落实“三会一课”、主题党日和组织生活会制度",
        "支部委员会每月1次，党员大会每季度1次，党课每年不少于4次",
        "15",
        "会议记录、照片",
    ),
    (
        "二、组织建设",
        "做好发展党员和党员教育管理，按期足额收缴党费",
        "党费收缴率100%，发展程序规范",
        "8",
        "党费台账、发展党员材料",
    ),
    (
        "二、组织建设",
        "推进支部标准化规范化建设，参加“五星级党支部”评定",
        "达到四星级以上",
        "9",
        "评定材料",
    ),
    (
        "三、党员队伍",
        "党员亮身份、践承诺，参加志愿服务",
        "党员人均志愿服务不少于8小时",
        "10",
        "志愿服务记录、照片",
    ),
    (
        "四、作风建设",
        "落实一岗双责，开展廉政风险排查和警示教育",
        "排查覆盖全部岗位，警示教育不少于2次",
        "10",
        "排查表、活动记录",
    ),
    (
        "五、党建引领业务",
        "以党建联建推动绿化、环卫、市容重点任务落实",
        "年度重点任务按期完成",
        "15",
        "工作台账、简报",
    ),
    (
        "五、党建引领业务",
        "打造支部党建品牌，形成可复制的经验做法",
        "形成品牌案例1个",
        "10",
        "品牌案例材料",
    ),
    (
        "六、宣传与统战",
        "做好党建宣传和统战工作，联系服务党外人士",
        "报送信息不少于6篇",
        "5",
        "信息报送记录",
    ),
]
SPECIFIC: dict[str, tuple[str, str, str, str, str]] = {
    "PT-LH": (
        "五、党建引领业务",
        "党员先锋岗助力苏州河沿岸绿化精品建设",
        "完成绿化精品点位2处",
        "5",
        "现场照片",
    ),
    "PT-HW": (
        "五、党建引领业务",
        "党员突击队保障公厕24小时开放和适老化改造",
        "完成改造公厕3座",
        "5",
        "验收记录",
    ),
    "PT-SR": (
        "五、党建引领业务",
        "党员志愿者参与“美丽街区”市容巡查",
        "每月巡查不少于2次",
        "5",
        "巡查记录",
    ),
}
PREAMBLE = (
    "为深入贯彻全面从严治党要求，落实基层党建工作责任制，压紧压实党支部书记抓党建第一责任，"
    "经研究，局党组与各党支部签订本目标责任书。年终对照本责任书逐项考核，考核结果作为"
    "党支部评先评优和书记述职评议的重要依据。"
)
EVIDENCE = [
    # (month, day, item index, title, kind, note)
    (1, 18, 0, "1月“第一议题”学习记录", "pdf", "传达学习上级会议精神，党员应到18人，实到17人。"),
    (2, 27, 2, "2月支部委员会会议纪要", "pdf", "研究年度工作计划和发展党员工作。"),
    (3, 29, 2, "一季度党员大会照片", "photo", ""),
    (
        4,
        22,
        5,
        "“绿色先锋”志愿服务照片",
        "photo",
        "苏州河沿岸清洁志愿服务，党员14人参加，共42小时。",
    ),
    (5, 16, 1, "党纪学习教育专题研讨材料", "docx", ""),
    (6, 28, 3, "上半年党费收缴台账", "xlsx", "党费收缴率100%。"),
    (7, 1, 2, "“七一”主题党日活动", "photo", "重温入党誓词，讲专题党课。"),
    (8, 20, 6, "廉政风险排查表", "pdf", "覆盖全部岗位，排查风险点11个，制定措施。"),
    (9, 12, 7, "党建联建推进重点任务简报", "note", "与属地街道党工委联建，完成三季度重点任务。"),
    (10, 24, 0, "10月“第一议题”学习记录", "pdf", ""),
    (11, 8, 8, "支部党建品牌案例（初稿）", "docx", "形成品牌案例初稿，待局党组审阅。"),
]

MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
MINIMAL_ZIP = b"PK\x03\x04" + b"\x00" * 26  # the start of an Office file; a demo placeholder


def signature_png(seed: int) -> str:
    """A drawn signature: a few pen strokes, as a data URL from the pad."""
    import base64

    rng = random.Random(seed)
    image = Image.new("RGBA", (480, 160), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    x = 40
    for _stroke in range(3):
        points = []
        for _ in range(7):
            points.append((x, rng.randint(40, 120)))
            x += rng.randint(12, 26)
        draw.line(points, fill=(20, 20, 20, 255), width=5, joint="curve")
        x += 20
    draw.line([(40, 135), (x - 20, 128)], fill=(20, 20, 20, 255), width=3)
    out = io.BytesIO()
    image.save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def _photo(seed: int, name: str) -> SimpleUploadedFile:
    rng = random.Random(seed)
    image = Image.new("RGB", (640, 420), (rng.randint(60, 120), rng.randint(120, 170), 80))
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = rng.randint(0, 600), rng.randint(0, 380)
        draw.rectangle([x, y, x + rng.randint(20, 90), y + rng.randint(20, 60)], fill=(200, 40, 40))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return SimpleUploadedFile(f"{name}.jpg", out.getvalue(), "image/jpeg")


def _upload(kind: str, title: str, seed: int) -> SimpleUploadedFile | None:
    if kind == "photo":
        return _photo(seed, title)
    if kind == "pdf":
        return SimpleUploadedFile(f"{title}.pdf", MINIMAL_PDF, "application/pdf")
    if kind in {"docx", "xlsx"}:
        return SimpleUploadedFile(f"{title}.{kind}", MINIMAL_ZIP)
    return None


def _at(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _backdate(letter: Letter, when: datetime.datetime) -> None:
    """Move the signing to the meeting's day (demo only: a demo has no past)."""
    sigs = list(Signature.objects.filter(letter=letter).order_by("id"))
    for n, sig in enumerate(sigs):
        Signature.objects.filter(pk=sig.pk).update(signed_at=when + datetime.timedelta(minutes=n))
    last = when + datetime.timedelta(minutes=max(len(sigs) - 1, 0))
    Letter.objects.filter(pk=letter.pk).update(
        issued_at=when - datetime.timedelta(days=3), frozen_at=when, signed_at=last
    )
    LetterEvent.objects.filter(letter=letter, action__in=["create", "issue"]).update(
        at=when - datetime.timedelta(days=3)
    )
    LetterEvent.objects.filter(letter=letter, action__in=["sign", "countersign"]).update(at=last)


def _accounts(branches: list[PartyOrg]) -> dict[int, User]:
    out: dict[int, User] = {}
    for branch in branches:
        post = actions.secretary_post(branch)
        if post is None:
            continue
        account = User.objects.filter(person_id=post.person_id).first()
        if account is None:
            account = org_actions.create_account(
                None,
                post.person,
                BRANCH_LOGINS[branch.code],
                settings.JULI_DEMO_PASSWORD,
                validate_password=False,
            )
        out[branch.pk] = account
    return out


def _template(issuer: PartyOrg, year: int) -> LetterTemplate:
    template = actions.create_template(
        None,
        issuer,
        year=year,
        level=PartyOrg.Kind.BRANCH,
        title=f"{year}年基层党建工作目标责任书",
        preamble=PREAMBLE,
    )
    for n, (section, content, indicator, points, hint) in enumerate(ITEMS, start=1):
        actions.add_template_item(
            None,
            template,
            section=section,
            order=n,
            content=content,
            indicator=indicator,
            points=Decimal(points),
            evidence_hint=hint,
        )
    return template


def _issue_and_sign(
    template: LetterTemplate,
    branches: list[PartyOrg],
    accounts: dict[int, User],
    bureau: User,
    meeting: datetime.date,
) -> list[Letter]:
    letters = actions.prepare_letters(None, template, branches)
    for letter in letters:
        extra = SPECIFIC.get(letter.receiver_org.code)
        if extra:
            section, content, indicator, points, hint = extra
            actions.add_item(
                None,
                letter,
                section=section,
                order=len(ITEMS) + 1,
                content=content,
                indicator=indicator,
                points=Decimal(points),
                evidence_hint=hint,
            )
    actions.issue_letters(None, letters)
    signed = []
    for n, letter in enumerate(letters):
        receiver = accounts[letter.receiver_org_id]
        actions.sign_letter(bureau, letter, "issuer", method="drawn", image=signature_png(7))
        actions.sign_letter(
            receiver, letter, "receiver", method="drawn", image=signature_png(100 + n)
        )
        _backdate(letter, _at(meeting, 14, 30 + 5 * n))
        signed.append(Letter.objects.get(pk=letter.pk))
    return signed


def _evidence(letter: Letter, actor: User, year: int, until: datetime.date, seed: int) -> int:
    items = list(letter.items.order_by("order"))
    rng = random.Random(seed)
    count = 0
    for month, day, index, title, kind, note in EVIDENCE:
        when = datetime.date(year, month, day)
        if when > until or rng.random() < 0.15 * (seed % 3):
            continue
        served = [items[index]]
        if index == 2 and len(items) > 5:
            served.append(items[5])  # the party-day photo also shows volunteering
        ev = actions.add_evidence(
            actor,
            letter,
            title=title,
            items=served,
            note=note,
            upload=_upload(kind, title, seed * 100 + month),
            happened_on=when,
        )
        Evidence.objects.filter(pk=ev.pk).update(added_at=_at(when, 16))
        count += 1
    return count


def _assess(letter: Letter, receiver: User, bureau: User, seed: int, *, finish: bool) -> None:
    rng = random.Random(seed)
    views = queries.items_with_evidence(letter)
    scores = {}
    for v in views:
        full = v.item.points
        score = full if v.evidence else full - Decimal(rng.choice([1, 2, 3]))
        scores[v.item.pk] = (max(score, Decimal("0")), v.suggested_remark)
    actions.save_self_assessment(
        receiver, letter, scores, remark="全面完成年度目标任务。", submit=finish
    )
    if not finish:
        return
    review = {}
    for v in views[:3]:
        if rng.random() < 0.5:
            review[v.item.pk] = (v.item.points - Decimal("2"), "佐证材料不够完整")
    actions.save_review(bureau, letter, review, remark="同意自评意见。", finish=True)
    actions.publish(bureau, letter)


@transaction.atomic
def build_demo(stdout: Any = None) -> dict[str, int]:
    """Build the letters demo on top of the org demo; returns counts of what was made."""
    issuer = PartyOrg.objects.filter(code=ISSUER_CODE).first()
    if issuer is None or LetterTemplate.objects.filter(org=issuer).exists():
        return {"letter_templates": 0, "letters": 0, "evidence": 0}
    bureau = User.objects.get(username="bureau_secretary")
    branches = list(
        PartyOrg.objects.filter(
            code__in=list(BRANCH_LOGINS), status=PartyOrg.Status.ACTIVE
        ).order_by("path")
    )
    accounts = _accounts(branches)
    branches = [b for b in branches if b.pk in accounts]
    today = timezone.localdate()
    year = today.year

    last = _template(issuer, year - 1)
    last_letters = _issue_and_sign(last, branches, accounts, bureau, datetime.date(year - 1, 3, 28))
    evidence = 0
    for n, letter in enumerate(last_letters):
        evidence += _evidence(
            letter, accounts[letter.receiver_org_id], year - 1, datetime.date(year - 1, 12, 31), n
        )
        _assess(letter, accounts[letter.receiver_org_id], bureau, n, finish=True)

    current = actions.copy_template(bureau, last, year=year)
    letters = _issue_and_sign(current, branches, accounts, bureau, datetime.date(year, 3, 26))
    for n, letter in enumerate(letters):
        evidence += _evidence(letter, accounts[letter.receiver_org_id], year, today, n + 1)
    # The organ branch has started its self-assessment (a draft, not yet submitted).
    organ = letters[0]
    _assess(organ, accounts[organ.receiver_org_id], bureau, 99, finish=False)

    counts = {
        "letter_templates": LetterTemplate.objects.count(),
        "letters": Letter.objects.count(),
        "letters_signed": Letter.objects.exclude(
            status__in=[Status.DRAFT, Status.ISSUED, Status.PARTLY_SIGNED]
        ).count(),
        "evidence": Evidence.objects.count(),
    }
    if stdout is not None:
        stdout.write(
            f"letters: {counts['letters']} ({counts['letters_signed']} signed), "
            f"evidence: {counts['evidence']}\n"
        )
    return counts


@demo_step("letters", after=("orgs",), logins=DEMO_LOGINS)
def build_letters_step(run: DemoRun) -> dict[str, int]:
    """This app's step of `juli demo` (see `juli.core.demo`)."""
    return build_demo(stdout=run.stdout)
