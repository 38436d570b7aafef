from django.apps import AppConfig


class BpjsConfig(AppConfig):
    name = "bpjs"
    verbose_name = "BPJS Kesehatan"
