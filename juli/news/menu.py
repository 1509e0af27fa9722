"""News in the main menu (see `juli.core.menu`): for those who write or review news. The
public news pages of an organisation have no entry (they are linked from its pages)."""

from django.utils.translation import gettext_lazy as _

from juli.core.menu import MenuEntry, register

from .access import shows_news

register(
    MenuEntry("news", _("News"), "news-list", group="organisation", order=70, visible=shows_news)
)
