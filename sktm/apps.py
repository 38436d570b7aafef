from django.apps import AppConfig


class SktmConfig(AppConfig):
    name = "sktm"
    verbose_name = "SKTM"
