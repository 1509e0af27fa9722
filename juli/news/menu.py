"""News in the main menu (see `juli.core.menu`): for those who write or review news. The
public news pages of an organisation have no entry (they are linked from its pages)."""

from django.utils.translation import gettext_lazy as _

from juli.core.menu import MenuEntry, MenuGroup, register, register_group

from .access import shows_news

#: The same group the meetings app declares (组织生活), declared here too so news stands alone.
register_group(MenuGroup("party_life", _("Party life"), 150))
register(
    MenuEntry("news", _("News"), "news-list", group="party_life", order=40, visible=shows_news)
)
