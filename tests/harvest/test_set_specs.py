"""setSpecs carry any organism, imaging method or licence value in OAI-PMH's allowed characters, reversibly."""

import string

from hypothesis import given
from hypothesis import strategies as st

from harvest.protocol import set_spec_decode, set_spec_encode

SET_SPEC_CHARACTERS = set(string.ascii_letters + string.digits + "-_.!~*'()")


@given(st.text(min_size=1, max_size=40))
def test_set_specs_encode_any_value_reversibly_in_the_allowed_characters(value):
    spec = set_spec_encode("organism", value)

    assert spec.startswith("organism:")
    assert set(spec.removeprefix("organism:")) <= SET_SPEC_CHARACTERS
    assert set_spec_decode(spec).value == value


def test_set_specs_keep_letters_and_dots_write_spaces_as_underscores_and_escape_the_rest():
    assert set_spec_encode("organism", "Mus musculus (C57BL/6)") == "organism:Mus_musculus_(C57BL~2F6)"
    assert set_spec_encode("licence", "CC-BY_4.0") == "licence:CC-BY~5F4.0"
    assert set_spec_encode("organism", "Ä") == "organism:~C3~84"
