from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    # Nothing in ready(): every registry finds this app's modules by itself.
    name = "juli.meetings"
    label = "meetings"
    verbose_name = _("Meetings and organisational life")
