from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The roof: demo data and schedules, which import every app (nothing imports portal)."""

    name = "portal"
