from django.apps import AppConfig


class ExportsConfig(AppConfig):
    """Machine-readable records of released studies: DataCite metadata, and later citations and harvesting."""

    name = "exports"
