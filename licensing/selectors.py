from django.conf import settings

from core.errors import PolicyViolation
from licensing.models import Licence


def licence_get(*, spdx_id: str) -> Licence:
    """Return the licence with this SPDX id, or raise PolicyViolation naming the field."""
    try:
        return Licence.objects.get(spdx_id=spdx_id)
    except Licence.DoesNotExist:
        raise PolicyViolation(
            rule="P-LICENCE", field="licence", message=f"Unknown licence “{spdx_id}”: use an SPDX id the archive knows."
        ) from None


def licence_for_study(*, source: str = "", requested: str | None = None) -> Licence:
    """Decide the licence a study may carry (P-LICENCE).

    A direct submission (no source) is always CC0-1.0, and asking for anything
    else is refused. A brokered or imported dataset keeps the licence of its
    source resource, which must be a licence the archive knows.
    """
    direct = settings.DIRECT_SUBMISSION_LICENCE
    if not source:
        if requested not in (None, "", direct):
            raise PolicyViolation(
                rule="P-LICENCE",
                field="licence",
                message=f"Data submitted directly is released under {direct}; no other licence can be chosen.",
            )
        return licence_get(spdx_id=direct)
    return licence_get(spdx_id=requested or direct)
