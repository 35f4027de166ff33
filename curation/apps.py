from django.apps import AppConfig


class CurationConfig(AppConfig):
    name = "curation"

    def ready(self):
        from curation import receivers  # noqa: F401  (connects the audit log)
