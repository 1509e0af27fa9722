"""The notification channels in the main menu (see `juli.core.menu`)."""

from django.utils.translation import gettext_lazy as _

from juli.core.menu import MenuEntry, register
from juli.orgs.access import is_office

register(
    MenuEntry(
        "channels",
        _("Notification channels"),
        "channel-home",
        group="settings",
        order=10,
        visible=is_office,
    )
)
