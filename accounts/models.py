from django.conf import settings
from django.db import models


class Profile(models.Model):
    """What the archive knows about a person beyond their log-in: ORCID iD and affiliation."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    # Stored bare (0000-0002-1825-0097); core.orcid.orcid_validate normalises input.
    orcid = models.CharField("ORCID iD", max_length=19, blank=True)
    affiliation = models.CharField(max_length=255, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user__username"]

    def __str__(self) -> str:
        return f"Profile of {self.user}"

    @property
    def orcid_url(self) -> str:
        return f"https://orcid.org/{self.orcid}" if self.orcid else ""
