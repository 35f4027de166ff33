from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The ground floor (docs/design.md §1): errors, the audit log, roles, links, e-mail.

    It imports no other project app.
    """

    name = "core"
