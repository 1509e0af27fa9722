"""The Excel workbook of a chain of responsibility: every duty of every post, and the
vacancies, one row each, so that an office can filter and sort them."""

from __future__ import annotations

from typing import Any

from juli.core.exports import ExportError, exporter
from juli.core.xlsx import XLSX_TYPE, Book

from .queries import Chain

__all__ = ["XLSX_TYPE", "chain_workbook"]

DUTY_COLUMNS = [
    ("org", "党组织"),
    ("level", "层级"),
    ("post", "岗位"),
    ("holders", "责任人"),
    ("no", "序号"),
    ("category", "类别"),
    ("duty", "责任内容"),
    ("frequency", "频次/时限"),
    ("list", "适用清单"),
]
VACANCY_COLUMNS = [
    ("org", "党组织"),
    ("level", "层级"),
    ("post", "空缺岗位"),
    ("duties", "无人承担的责任(条)"),
]
SUMMARY_COLUMNS = [
    ("org", "党组织"),
    ("level", "层级"),
    ("members", "党员数"),
    ("vacancies", "本级空缺"),
    ("subtree", "含下级空缺"),
]


def _holders(row: Any) -> str:
    if row.members is not None:
        return f"全体党员({row.members}名)"
    names = [f"{h.person.name}({h.title})" if h.title else h.person.name for h in row.holders]
    return "、".join(names) if names else "【空缺】"


def chain_workbook(chain: Chain) -> bytes:
    duties: list[dict[str, Any]] = []
    vacancies: list[dict[str, Any]] = []
    summary: list[dict[str, Any]] = []
    for node in chain.nodes:
        indent = "  " * node.depth
        level = node.org.get_kind_display()
        summary.append(
            {
                "org": indent + node.org.name,
                "level": level,
                "members": node.members,
                "vacancies": node.vacancies,
                "subtree": node.subtree_vacancies,
            }
        )
        for row in node.rows:
            if row.vacant:
                vacancies.append(
                    {
                        "org": node.org.name,
                        "level": level,
                        "post": row.duty_post.label,
                        "duties": len(row.duties),
                    }
                )
            for no, duty in enumerate(row.duties, start=1):
                duties.append(
                    {
                        "org": node.org.name,
                        "level": level,
                        "post": row.duty_post.label,
                        "holders": _holders(row),
                        "no": no,
                        "category": duty.get_category_display(),
                        "duty": duty.text,
                        "frequency": duty.frequency,
                        "list": str(node.duty_list) if node.duty_list else "",
                    }
                )
    book = Book()
    caption = f"{chain.root.name} {chain.year}年度“四级五岗”责任清单"
    book.sheet("责任清单", DUTY_COLUMNS, duties, caption=caption)
    book.sheet("空缺岗位", VACANCY_COLUMNS, vacancies, caption=f"{chain.root.name} 空缺岗位")
    book.sheet("组织汇总", SUMMARY_COLUMNS, summary, caption=f"{chain.root.name} 责任链条汇总")
    return book.bytes()


#: A chain with more organisations than this prints in the background (dozens of pages).
PDF_INLINE_MAX_ORGS = 20


@exporter("duties.chain.pdf")
def chain_pdf(params: dict[str, Any], owner: Any) -> tuple[str, bytes]:
    """The chain's A4 PDF, made by the export worker with the owner's access checked again."""
    from django.http import Http404
    from django.utils.translation import gettext as _

    from juli.core.pdf import render_pdf

    from . import access, queries

    try:
        org = access.access_chain_org(owner, params.get("org"))
    except Http404:
        raise ExportError(_("This organisation is not in your scope any more.")) from None
    year = int(params.get("year") or queries.this_year())
    depth = params.get("depth")
    result = queries.build_chain(org, year, max_depth=int(depth) if depth is not None else None)
    title = _("%(year)s duty list") % {"year": year}
    content = render_pdf(
        "duties/pdf.html", {"chain": result, "org": org, "year": year}, issuer=org.name, title=title
    )
    return f"{org.name}-{year}-责任清单.pdf", content
