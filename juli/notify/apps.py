from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    """Notify knows no domain app: the apps announce through `actions.notify()` and declare
    their kinds in their own `notices.py` (`juli.core.notices`)."""

    name = "juli.notify"
    label = "notify"
    verbose_name = _("Notifications")
