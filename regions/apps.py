from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "regions"
    verbose_name = "Wilayah dan data induk"

    def ready(self):
        from regions import checks  # noqa: F401  (registers the system checks)
