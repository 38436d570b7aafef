from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import AuthenticatorDevice


class Command(BaseCommand):
    help = (
        "Re-encrypts every stored authenticator secret with the first key of PBIPEMDA_FIELD_KEY. "
        "Run after putting a new key first; the old keys may then be removed from the list."
    )

    def handle(self, *args, **options):
        rotated = 0
        with transaction.atomic():
            # Read, the secret is decrypted with whichever key opens it; saved, it is encrypted
            # with the first.
            for device in AuthenticatorDevice.objects.select_for_update():
                device.save(update_fields=["secret"])
                rotated += 1
        self.stdout.write(f"{rotated} kunci rahasia dienkripsi ulang dengan kunci pertama.")
