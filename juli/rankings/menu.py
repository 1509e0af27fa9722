"""The weekly ranking in the main menu (see `juli.core.menu`). Its readers without an office
post see it alone in the bar: it is the only entry of "Reports" they may open."""

from django.utils.translation import gettext_lazy as _

from juli.core.menu import MenuEntry, register

from .access import shows_rankings

register(
    MenuEntry(
        "rankings",
        _("Weekly ranking"),
        "ranking-index",
        group="reports",
        order=30,
        visible=shows_rankings,
    )
)
