from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BenchdataConfig(AppConfig):
    """The benchmark generator (`juli generate`): writes the case loop's tables in bulk and
    rebuilds the read side's rollups, so it sits outside both."""

    name = "juli.benchdata"
    label = "benchdata"
    verbose_name = _("Benchmark data")
