"""The year-end dossier in the main menu (`juli.core.menu`), in the group 组织生活 (party
life, which the meetings and news apps declare too): for those who hold a post that
produces dossiers (`access.produces_dossiers`, from the cached scope)."""

from django.utils.translation import gettext_lazy as _

from juli.core.menu import MenuEntry, MenuGroup, register, register_group

from .access import produces_dossiers

register_group(MenuGroup("party_life", _("Party life"), 150))
register(
    MenuEntry(
        "dossier",
        _("Year-end dossier"),
        "dossier-index",
        group="party_life",
        order=60,
        visible=produces_dossiers,
    )
)
