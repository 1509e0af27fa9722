from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossierConfig(AppConfig):
    # Nothing in ready(): the sections are found by `juli.core.dossier`, the menu entry and
    # the exporters by their registries.
    name = "juli.dossier"
    label = "dossier"
    verbose_name = _("Year-end dossiers")
