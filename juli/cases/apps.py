from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "juli.cases"
    label = "cases"
    verbose_name = _("Inspection and rectification")
