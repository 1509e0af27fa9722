"""The daily bulletins in the main menu (see `juli.core.menu`)."""

from django.utils.translation import gettext_lazy as _

from juli.core.menu import MenuEntry, register
from juli.orgs.access import is_office

register(
    MenuEntry(
        "bulletins",
        _("Daily bulletins"),
        "bulletin-list",
        group="reports",
        order=20,
        visible=is_office,
    )
)
