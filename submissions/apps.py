from django.apps import AppConfig


class SubmissionsConfig(AppConfig):
    name = "submissions"

    def ready(self):
        from submissions import receivers  # noqa: F401  (drafts follow re-uploaded files)
