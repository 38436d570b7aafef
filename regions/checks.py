from django.conf import settings
from django.core.checks import Error, register

from regions.terminology import PROFILES


@register()
def region_profile_is_known(app_configs, **kwargs):
    if settings.REGION_PROFILE in PROFILES:
        return []
    return [
        Error(
            f"REGION_PROFILE '{settings.REGION_PROFILE}' tidak dikenal.",
            hint=f"Pilih salah satu: {', '.join(sorted(PROFILES))}.",
            id="regions.E001",
        )
    ]
