from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObservationConfig(AppConfig):
    # Nothing in ready(): every registry finds this app's modules by itself.
    name = "juli.observation"
    label = "observation"
    verbose_name = _("Observation visits and rectification")
