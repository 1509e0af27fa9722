"""Letters test world: the Putuo party group's branch template and letters for its branches."""

from __future__ import annotations

import base64
import io
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from PIL import Image, ImageDraw

from juli.letters import actions
from juli.letters.models import Letter, LetterTemplate

ITEMS = [
    ("政治建设", "落实“第一议题”制度", "全年不少于12次", Decimal("20"), "会议记录"),
    ("组织建设", "规范开展“三会一课”", "支部党员大会每季度1次", Decimal("30"), "会议记录、照片"),
    ("作风建设", "党员志愿服务", "人均不少于8小时", Decimal("25"), "活动照片"),
    ("业务融合", "党建引领绿化市容重点工作", "完成年度目标", Decimal("25"), "工作台账"),
]


def signature_png(width: int = 400, height: int = 150, strokes: int = 3) -> bytes:
    """A drawn signature: dark strokes on a transparent pad."""
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    for n in range(strokes):
        y = 40 + 30 * n
        draw.line(
            [(30, y), (120, y + 40), (220, y - 10), (360, y + 25)], fill=(0, 0, 0, 255), width=5
        )
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()


SIGNATURE = data_url(signature_png())


def make_template(c: Any, year: int = 2026) -> LetterTemplate:
    template = actions.create_template(
        None,
        c.putuo,
        year=year,
        level="branch",
        title=f"{year}年度基层党建工作目标责任书",
        preamble="为落实全面从严治党主体责任，签订本责任书。",
    )
    for section, content, indicator, points, hint in ITEMS:
        actions.add_template_item(
            None,
            template,
            section=section,
            content=content,
            indicator=indicator,
            points=points,
            evidence_hint=hint,
        )
    return template


def make_letters(c: Any, *, issue: bool = True) -> SimpleNamespace:
    template = make_template(c)
    first, second = actions.prepare_letters(None, template, [c.branch1, c.branch2])
    if issue:
        actions.issue_letters(None, [first, second])
    w = SimpleNamespace(c=c, template=template)
    w.letter = Letter.objects.get(pk=first.pk)
    w.sibling_letter = Letter.objects.get(pk=second.pk)
    return w


def sign_both(w: Any) -> Letter:
    actions.sign_letter(w.c.bureau_secretary, w.letter, "issuer", method="drawn", image=SIGNATURE)
    actions.sign_letter(w.c.branch_secretary, w.letter, "receiver", method="drawn", image=SIGNATURE)
    return Letter.objects.get(pk=w.letter.pk)


@pytest.fixture
def world(cast: Any) -> SimpleNamespace:
    return make_letters(cast)
