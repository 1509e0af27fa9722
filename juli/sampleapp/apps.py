from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SampleAppConfig(AppConfig):
    # Nothing in ready(): every registry finds this app's modules by itself.
    name = "juli.sampleapp"
    label = "sampleapp"
    verbose_name = _("Sample notes (tests only)")
