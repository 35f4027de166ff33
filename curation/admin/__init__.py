"""The curators' admin: one module a kind of work, each registering its own models and views."""

from django.conf import settings
from django.contrib import admin

from curation.admin import audit, fixity, imports, projects, studies  # noqa: F401  (each registers its admins)

admin.site.site_header = f"{settings.PORTAL_NAME}: curation"
admin.site.site_title = settings.PORTAL_NAME
admin.site.index_title = "Curation"
