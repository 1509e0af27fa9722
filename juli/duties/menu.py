"""The user's own duties in the main menu (see `juli.core.menu`): for party members, holders
of posts in party organisations and the officers over them (`access.shows_my_duties`); a field
post alone gets no entry that could only open an empty page."""

from django.utils.translation import gettext_lazy as _

from juli.core.menu import MenuEntry, register

from .access import shows_my_duties

register(MenuEntry("duties", _("My duties"), "duties-mine", order=20, visible=shows_my_duties))
