from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RatingConfig(AppConfig):
    name = "juli.rating"
    label = "rating"
    verbose_name = _("Branch rating")
    default_auto_field = "django.db.models.BigAutoField"
