import pytest
from django.core.exceptions import ValidationError

from core.orcid import orcid_validate


@pytest.mark.parametrize(
    "orcid",
    [
        "0000-0002-1825-0097",  # Josiah Carberry, ORCID's own example record
        "0000-0001-5109-3700",
        "0000-0002-1694-233X",  # check digit 10 is written X
    ],
)
def test_orcid_validate_accepts_real_orcid_ids(orcid):
    assert orcid_validate(orcid) == orcid


@pytest.mark.parametrize(
    "value",
    [
        "https://orcid.org/0000-0002-1825-0097",
        "http://orcid.org/0000-0002-1825-0097",
        "orcid.org/0000-0002-1825-0097",
        "  https://orcid.org/0000-0002-1825-0097  ",
    ],
)
def test_orcid_validate_normalises_the_url_form_to_the_bare_id(value):
    assert orcid_validate(value) == "0000-0002-1825-0097"


def test_orcid_validate_accepts_a_lower_case_x_and_stores_upper_case():
    assert orcid_validate("0000-0002-1694-233x") == "0000-0002-1694-233X"


def test_orcid_validate_rejects_a_wrong_check_digit():
    with pytest.raises(ValidationError) as exc_info:
        orcid_validate("0000-0002-1825-0098")
    assert exc_info.value.code == "orcid_check_digit"
    assert "check digit" in exc_info.value.messages[0]


@pytest.mark.parametrize(
    "junk",
    [
        "",
        "not an orcid",
        "0000000218250097",
        "0000-0002-1825-009",
        "0000-0002-1825-00977",
        "X000-0002-1825-0097",
        "https://example.org/0000-0002-1825-0097",
        "0000-0002-1825-0097/",
    ],
)
def test_orcid_validate_rejects_junk_with_a_format_message(junk):
    with pytest.raises(ValidationError) as exc_info:
        orcid_validate(junk)
    assert exc_info.value.code == "orcid_format"
    assert "0000-0000-0000-0000" in exc_info.value.messages[0]
