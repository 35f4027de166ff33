from django.db import models


class Licence(models.Model):
    """A data licence, named by its SPDX identifier."""

    spdx_id = models.CharField("SPDX id", max_length=64, unique=True)
    name = models.CharField(max_length=200)
    url = models.URLField()

    class Meta:
        ordering = ["spdx_id"]

    def __str__(self) -> str:
        return self.spdx_id
