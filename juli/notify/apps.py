from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "juli.notify"
    label = "notify"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from juli.bulletins.signals import bulletin_published
        from juli.rankings.signals import ranking_published

        from . import receivers

        bulletin_published.connect(receivers.on_bulletin_published, dispatch_uid="notify-bulletin")
        ranking_published.connect(receivers.on_ranking_published, dispatch_uid="notify-ranking")
