"""The rating's section of a branch's year-end dossier (`juli.core.dossier`, order 30).

For (branch, year): each assessment of the branch in a round of that year (normally one):
the score, the stars and any change of them, the rank of N in the round, every criterion's
points with the computed figure's text or the reviewer's reason, the veto findings, and the
evidence list; the files the branch uploaded (`ScoreFile`) go into the zip under
`rating/`. None when the branch has no assessment that year.

What is printed is what the assessment shows (`exports.assessment_detail`): reviewed
figures once reviewed, the self-assessed ones before (and said so); the rank is counted
over the rows on notice or published, so it appears only once the round is public. The
dossier app decides who may read the dossier; this only reads.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from juli.core.dossier import Block, DossierFile, Section, SectionKind, register

from .exports import STATUS_ZH, assessment_detail, points_text
from .models import Assessment


def _safe(name: str) -> str:
    return "".join("_" if ch in '/\\:*?"<>|' else ch for ch in name).strip() or "file"


def build(org: Any, year: int, user: Any) -> Section | None:
    assessments = list(
        Assessment.objects.filter(org=org, round__year=year)
        .select_related("round", "round__org", "round__standard", "org")
        .order_by("round__org_path", "round_id")
    )
    if not assessments:
        return None
    section = Section(title=str(_("Star rating")))
    taken: set[str] = set()
    for a in assessments:
        d = assessment_detail(a, public_only=True)
        section.blocks.append(Block.heading(f"{a.round.title}（{a.round.org.name}）"))
        stars = d.figure.stars
        facts: list[tuple[Any, Any]] = [
            (_("Status"), STATUS_ZH.get(a.status, a.status)),
            (
                _("Score") if d.figure.basis == "reviewed" else _("Self-assessed score"),
                "—" if d.figure.score is None else d.figure.score,
            ),
            (_("Stars"), "—" if stars is None else "★" * stars + "☆" * (5 - stars)),
        ]
        if d.rank:
            facts.append((_("Rank"), _("%(rank)s of %(n)s") % {"rank": d.rank, "n": d.of}))
        for ch in d.star_changes:
            facts.append(
                (
                    _("Star change"),
                    f"{ch.decided_on:%Y-%m-%d} {ch.from_stars}★→{ch.to_stars}★ "
                    f"{ch.reason}（{ch.decision_ref}）",
                )
            )
        section.blocks.append(Block.facts(facts))
        rows = []
        for line in d.lines:
            r = line.row
            if not r.applicable:
                basis = _("No data for the period: not counted")
            elif r.review_points is not None:
                basis = _("Adjusted: %(reason)s") % {"reason": r.review_reason}
            elif line.criterion.method == "computed":
                basis = r.figure_text
            else:
                basis = r.self_note
            rows.append(
                [
                    line.criterion.category.name,
                    line.criterion.title,
                    points_text(line.criterion.points),
                    points_text(r.final_points),
                    basis,
                    "；".join(line.evidence),
                ]
            )
        section.blocks.append(
            Block.table(
                [
                    _("Category"),
                    _("Criterion"),
                    _("Points"),
                    _("Scored"),
                    _("Figure or reason"),
                    _("Evidence"),
                ],
                rows,
            )
        )
        if d.vetoes:
            section.blocks.append(
                Block.table(
                    [_("Veto item"), _("Stars at most"), _("Reason")],
                    [[str(v.veto), v.veto.cap_stars, v.reason] for v in d.vetoes],
                )
            )
        else:
            section.blocks.append(Block.paragraph(_("No veto item found.")))
        for f in d.files:
            name = f"rating/{a.round.year}-{a.round_id}/{_safe(f.name)}"
            stem, n = name, 2
            while name in taken:
                name = f"{stem}-{n}"
                n += 1
            taken.add(name)
            section.files.append(DossierFile(name, f.file))
    return section


register(SectionKind("rating", gettext_lazy("Star rating"), build, order=30))
