from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "juli.api"
    label = "api"
    verbose_name = "API"
