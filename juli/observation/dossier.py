"""The observation section of a branch's year-end dossier (`juli.core.dossier`): the visits
it hosted in the year (date, what was shown, score, tier, feedback), the visits it attended,
and its rectification items with their status and evidence; the evidence files go in the
zip (`observation/<item>-<file>`). None when the branch hosted and attended nothing and has
no item that year."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from juli.core.dossier import Block, DossierFile, Section, SectionKind, register

from .models import ObservationVisit, Rectification


def build(org: Any, year: int, user: Any) -> Section | None:
    hosted = list(
        ObservationVisit.objects.filter(host=org, scheduled_on__year=year)
        .exclude(status=ObservationVisit.Status.PLANNED)  # only visits that took place
        .select_related("cycle")
        .order_by("scheduled_on")
    )
    attended = list(
        ObservationVisit.objects.filter(guests__org=org, scheduled_on__year=year)
        .exclude(status=ObservationVisit.Status.PLANNED)
        .select_related("host", "cycle")
        .order_by("scheduled_on")
    )
    items = list(
        Rectification.objects.filter(host=org)
        .filter(Q(visit__scheduled_on__year=year) | Q(deadline__year=year))
        .select_related("owner")
        .prefetch_related("files")
        .order_by("deadline", "pk")
    )
    if not hosted and not attended and not items:
        return None
    section = Section(title=_("Observation visits and rectification"))
    blocks = section.blocks
    if hosted:
        blocks.append(Block.heading(_("Visits hosted")))
        for v in hosted:
            blocks.append(
                Block.facts(
                    [
                        (_("Cycle"), v.cycle.title),
                        (_("Date"), f"{v.scheduled_on:%Y-%m-%d}"),
                        (_("What was shown"), v.shown or "—"),
                        (_("Average score"), v.average if v.average is not None else "—"),
                        (_("Score sheets"), v.sheets),
                        (_("Tier"), v.get_tier_display() or "—"),
                    ]
                )
            )
            if v.feedback:
                blocks.append(Block.paragraph(_("Feedback: %(text)s") % {"text": v.feedback}))
    if attended:
        blocks.append(Block.heading(_("Visits attended")))
        blocks.append(
            Block.table(
                [_("Date"), _("Host"), _("Cycle")],
                [[f"{v.scheduled_on:%Y-%m-%d}", v.host.name, v.cycle.title] for v in attended],
            )
        )
    if items:
        blocks.append(Block.heading(_("Rectification items")))
        rows = []
        for r in items:
            closed = timezone.localdate(r.closed_at).isoformat() if r.closed_at else "—"
            status = r.get_status_display()
            if r.is_overdue():
                status = _("Overdue")
            rows.append(
                [
                    r.title,
                    r.owner.name,
                    r.deadline.isoformat(),
                    status,
                    closed,
                    r.evidence_note or "—",
                    ", ".join(f.name for f in r.files.all()) or "—",
                ]
            )
            for f in r.files.all():
                section.files.append(DossierFile(f"observation/{r.pk}-{f.name}", f.file))
        blocks.append(
            Block.table(
                [
                    _("Item"),
                    _("Owner"),
                    _("Deadline"),
                    _("Status"),
                    _("Closed on"),
                    _("Evidence"),
                    _("Files"),
                ],
                rows,
            )
        )
    return section


register(
    SectionKind(
        "observation", gettext_lazy("Observation visits and rectification"), build, order=40
    )
)
