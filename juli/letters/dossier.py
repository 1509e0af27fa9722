"""The responsibility letter in a branch's year-end dossier (`juli.core.dossier`, order 10).

For one organisation and one year: every letter of that year it *receives* (issued or
later; drafts are not letters yet), read through `access.visible_letters(user)` so that the
dossier shows what its producer may see. Per letter: the facts (issuer, status, dates, the
totals and the grade), the items with their weights, self scores and reviewed scores (with
the reason of each adjustment), the valid signatures of both sides with their dates, the
self-assessment and review summaries, and the evidence collected (date, kind, title, items).
The zip gets the letter's evidence files, under their original names.

Nothing is computed here that the letter does not hold: the totals and the grade are the
ones the review fixed.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from juli.core.dossier import Block, DossierFile, Section, SectionKind, register

from .access import visible_letters
from .actions import GRADE_LABELS
from .models import Evidence, Letter, Signature


def _when(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "—"


def _num(value: Any) -> str:
    return "—" if value is None else str(value)


def _letter_blocks(letter: Letter, many: bool) -> tuple[list[Block], list[DossierFile]]:
    blocks: list[Block] = []
    if many:
        blocks.append(Block.heading(letter.title))
    items = list(letter.items.all().order_by("order", "id"))
    full = sum((i.points for i in items), 0)
    blocks.append(
        Block.facts(
            [
                (_("Title of the letter"), letter.title),
                (_("Issuing organisation"), letter.issuer_org.name),
                (_("Status"), letter.get_status_display()),
                (_("Issued at"), _when(letter.issued_at)),
                (_("Signed at"), _when(letter.signed_at)),
                (_("Full points"), full),
                (_("Self-assessed total"), _num(letter.self_total)),
                (_("Final total"), _num(letter.final_total)),
                (_("Grade"), str(GRADE_LABELS.get(letter.grade, "")) or "—"),
                (_("Published at"), _when(letter.published_at)),
            ]
        )
    )
    blocks.append(Block.heading(_("Items")))
    blocks.append(
        Block.table(
            [
                _("Section"),
                _("Item"),
                _("Points"),
                _("Self score"),
                _("Self remark"),
                _("Reviewed score"),
                _("Reason for the adjustment"),
            ],
            [
                [
                    i.section,
                    f"{i.content} ({i.indicator})" if i.indicator else i.content,
                    i.points,
                    _num(i.self_score),
                    i.self_remark,
                    _num(i.review_score),
                    i.review_reason,
                ]
                for i in items
            ],
        )
    )
    signatures = list(
        letter.signatures.filter(voided_at__isnull=True).select_related("person", "post__org")
    )
    blocks.append(Block.heading(_("Signatures")))
    if signatures:
        blocks.append(
            Block.table(
                [_("Side"), _("Organisation"), _("Signed by"), _("Signed at")],
                [
                    [
                        s.get_side_display(),
                        letter.issuer_org.name
                        if s.side == Signature.Side.ISSUER
                        else letter.receiver_org.name,
                        s.person.name,
                        _when(s.signed_at),
                    ]
                    for s in signatures
                ],
            )
        )
    else:
        blocks.append(Block.paragraph(_("Not signed yet.")))
    if letter.self_remark:
        blocks += [Block.heading(_("Self-assessment")), Block.paragraph(letter.self_remark)]
    if letter.review_remark:
        blocks += [Block.heading(_("Review")), Block.paragraph(letter.review_remark)]
    evidence = list(letter.evidence.all().prefetch_related("items").order_by("happened_on", "id"))
    files: list[DossierFile] = []
    if evidence:
        blocks.append(Block.heading(_("Evidence")))
        blocks.append(
            Block.table(
                [_("Date"), _("Kind"), _("Title of the letter"), _("Items")],
                [
                    [
                        e.happened_on.isoformat(),
                        e.get_kind_display(),
                        e.title + (f" ({e.file_name})" if e.file_name else ""),
                        "; ".join(i.content[:30] for i in e.items.all()),
                    ]
                    for e in evidence
                ],
            )
        )
        for e in evidence:
            if e.kind == Evidence.Kind.FILE and e.file:
                name = e.file_name or str(e.file.name).rsplit("/", 1)[-1]
                files.append(
                    DossierFile(
                        name,
                        e.file,
                        source=_("Letter %(letter)s, evidence “%(title)s” of %(day)s")
                        % {"letter": letter.pk, "title": e.title, "day": e.happened_on},
                    )
                )
    return blocks, files


def build(org: Any, year: int, user: Any) -> Section | None:
    letters = list(
        visible_letters(user)
        .filter(receiver_org=org, year=year)
        .exclude(status=Letter.Status.DRAFT)
        .select_related("issuer_org", "receiver_org")
        .order_by("issuer_path", "id")
    )
    if not letters:
        return None
    section = Section(title=str(gettext_lazy("Responsibility letter")))
    for letter in letters:
        blocks, files = _letter_blocks(letter, many=len(letters) > 1)
        section.blocks += blocks
        section.files += files
    return section


register(SectionKind("letters", gettext_lazy("Responsibility letter"), build, order=10))
