from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_curators(sender, **kwargs):
    from django.contrib.auth.models import Group, Permission

    from accounts.groups import curators_group_ensure

    curators_group_ensure(Group, Permission)


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self):
        from django.apps import apps

        # After every app's permissions exist (post_migrate follows INSTALLED_APPS and
        # `portal` comes last), and again after a flush.
        post_migrate.connect(_ensure_curators, sender=apps.get_app_config("portal"))
