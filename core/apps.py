from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The ground floor (DESIGN §2): errors, the audit log, roles, links, e-mail. It imports no other project app."""

    name = "core"
