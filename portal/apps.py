from django.apps import AppConfig


class PortalConfig(AppConfig):
    """Project-wide glue: the error type, schedules and demo data that span the apps."""

    name = "portal"
