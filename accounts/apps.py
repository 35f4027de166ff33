from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_curators(sender, **kwargs):
    from django.contrib.auth.models import Group, Permission

    from accounts.groups import curators_group_ensure

    curators_group_ensure(Group, Permission)


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self):
        # post_migrate is sent once per app with models, after that app's permissions
        # are made, on every migrate and flush: the last call sees them all. It is cheap
        # and idempotent, so no sender is singled out (apps without models get no signal).
        post_migrate.connect(_ensure_curators, dispatch_uid="accounts.curators_group")
