"""The curators' admin: one module a kind of work, each registering its own models and views."""

from django.conf import settings
from django.contrib import admin

from curation.admin import audit, fixity, imports, studies  # noqa: F401  (each registers its admins)
from curation.projects import admin as projects_admin  # noqa: F401  (registers the proposals' admin)

admin.site.site_header = f"{settings.PORTAL_NAME}: curation"
admin.site.site_title = settings.PORTAL_NAME
admin.site.index_title = "Curation"
