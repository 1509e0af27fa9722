"""Compliance as an Excel workbook: one sheet with a row per organisation (held / required
and the state per meeting kind, attendance), one with the totals per kind. Rendered in the
request (a table of a few hundred rows)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from juli.core.xlsx import Book

from . import compliance


def _caption(t: compliance.Table) -> str:
    return _("%(org)s · meeting compliance %(window)s (as of %(today)s)") % {
        "org": t.root.name,
        "window": t.window.label,
        "today": t.today.isoformat(),
    }


def compliance_xlsx(t: compliance.Table) -> bytes:
    book = Book()
    columns: list[tuple[str, str]] = [("org", _("Organisation"))]
    for kind, label in t.kind_labels:
        columns += [
            (f"{kind}.held", f"{label} · {_('Held')}"),
            (f"{kind}.required", f"{label} · {_('Required')}"),
            (f"{kind}.state", f"{label} · {_('State')}"),
        ]
    columns += [
        ("attended", _("Attended")),
        ("counted", _("Expected")),
        ("rate", _("Attendance rate (%)")),
    ]
    rows = []
    for row in t.rows:
        values: dict[str, Any] = {"org": row.org.name}
        for kind in t.kinds:
            cell = row.cells.get(kind)
            if cell is None:
                continue
            values[f"{kind}.held"] = cell.held
            values[f"{kind}.required"] = cell.required
            values[f"{kind}.state"] = str(cell.state_label)
        values |= {"attended": row.attended, "counted": row.counted, "rate": row.rate}
        rows.append(values)
    book.sheet(_("Compliance"), columns, rows, caption=_caption(t))
    book.sheet(
        _("Totals"),
        [
            ("kind", _("Meeting kind")),
            ("held", _("Held")),
            ("required", _("Required")),
            ("done", _("Done")),
            ("due", _("Due")),
            ("overdue", _("Overdue")),
        ],
        [
            {
                "kind": str(x.label),
                "held": x.held,
                "required": x.required,
                "done": x.done,
                "due": x.due,
                "overdue": x.overdue,
            }
            for x in t.totals
        ],
        caption=_caption(t),
    )
    return book.bytes()
