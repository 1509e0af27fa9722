"""The dashboard in the main menu (see `juli.core.menu`)."""

from django.utils.translation import gettext_lazy as _

from juli.core.menu import MenuEntry, register
from juli.orgs.access import is_office

register(
    MenuEntry(
        "dashboard", _("Dashboard"), "dashboard", group="reports", order=10, visible=is_office
    )
)
