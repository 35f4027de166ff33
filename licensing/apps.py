from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_licences(sender, **kwargs):
    from licensing.defaults import licences_ensure
    from licensing.models import Licence

    licences_ensure(Licence)


class LicensingConfig(AppConfig):
    name = "licensing"

    def ready(self):
        # Also after a database flush (as transactional tests do), not only after migrations.
        post_migrate.connect(_ensure_licences, sender=self)
