from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsConfig(AppConfig):
    # Nothing in ready(): every registry finds this app's modules by itself.
    name = "juli.news"
    label = "news"
    verbose_name = _("News")
