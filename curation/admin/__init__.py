"""The curators' admin: one module a kind of work, each registering its own models and views."""

from curation.admin import audit, fixity, imports, studies  # noqa: F401  (each module registers its admins)
from curation.admin import projects  # noqa: F401  (structured-project proposals, P-PROJECT)
