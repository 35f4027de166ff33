"""ORCID iD validation (ground floor), shared by profiles and study authors."""

import re

from django.core.exceptions import ValidationError

ORCID_FORMAT = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")
# People paste the iD as printed on orcid.org; the URL form names the same iD.
ORCID_URL_PREFIX = re.compile(r"^(?:https?://)?(?:www\.)?orcid\.org/", re.IGNORECASE)


def orcid_check_digit(base_digits: str) -> str:
    """Return the ISO 7064 MOD 11-2 check character of the first 15 digits of an ORCID iD."""
    total = 0
    for digit in base_digits:
        total = (total + int(digit)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


def orcid_validate(value: str) -> str:
    """Check an ORCID iD and return it in its bare form, `0000-0002-1825-0097`.

    Accepts the bare iD or its https://orcid.org/ URL; raises ValidationError otherwise.
    """
    orcid = ORCID_URL_PREFIX.sub("", (value or "").strip()).upper()
    if not ORCID_FORMAT.match(orcid):
        raise ValidationError(
            "Enter an ORCID iD as 0000-0000-0000-0000 (the last character may be X), "
            "or its https://orcid.org/ address.",
            code="orcid_format",
        )
    digits = orcid.replace("-", "")
    if orcid_check_digit(digits[:15]) != digits[15]:
        raise ValidationError(
            "This is not a valid ORCID iD: its check digit does not match. Please copy it again from orcid.org.",
            code="orcid_check_digit",
        )
    return orcid
