"""The user's own duties in the main menu (see `juli.core.menu`)."""

from django.utils.translation import gettext_lazy as _

from juli.core.menu import MenuEntry, register

register(MenuEntry("duties", _("My duties"), "duties-mine", order=20))
