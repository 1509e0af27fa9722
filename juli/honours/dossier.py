"""The honours section of a branch's year-end dossier (`juli.core.dossier`): the honours the
branch (or its members) received that year, and the earlier ones, with number and date."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from juli.core.dossier import Block, Section, SectionKind, register

from .models import Honour
from .queries import honours_of_org


def _rows(honours: list[Honour]) -> list[list[Any]]:
    return [
        [
            h.call.year,
            h.call.kind.name,
            h.holder_name,
            h.number,
            h.conferred_on.isoformat(),
            h.call.kind.org.name,
            h.get_status_display(),
        ]
        for h in honours
    ]


def build(org: Any, year: int, user: Any) -> Section | None:
    honours = [
        h
        for h in honours_of_org(user, org, until_year=year)
        if h.status != Honour.Status.CONFERRED or h.call.year == year
    ]
    if not honours:
        return None
    head = [
        _("Year"),
        _("Honour"),
        _("Recipient"),
        _("Number"),
        _("Conferred on"),
        _("Conferred by"),
        _("Status"),
    ]
    this_year = [h for h in honours if h.call.year == year]
    earlier = [h for h in honours if h.call.year < year]
    blocks = [Block.heading(_("Honours received in %(year)s") % {"year": year})]
    blocks.append(
        Block.table(head, _rows(this_year)) if this_year else Block.paragraph(_("None this year."))
    )
    if earlier:
        blocks += [Block.heading(_("Earlier honours")), Block.table(head, _rows(earlier))]
    return Section(title=str(gettext_lazy("Honours")), blocks=blocks)


HONOURS = register(SectionKind("honours", gettext_lazy("Honours"), build, order=50))
