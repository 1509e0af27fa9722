from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HonoursConfig(AppConfig):
    # Nothing in ready(): every registry finds this app's modules by itself.
    name = "juli.honours"
    label = "honours"
    verbose_name = _("Honours")
