from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = "Pekerjaan latar"

    def ready(self):
        # Each app declares its job kinds in a `tasks` module.
        autodiscover_modules("tasks")
