"""upload_path_validate: each rule on its own."""

import pytest

from core.errors import PolicyViolation
from uploads.paths import upload_path_validate


@pytest.mark.parametrize(
    "raw",
    ["a.tif", "plate 1/A01/field_0001.ome.tif", "données/été.tif", "a/" + "b" * 255, ".hidden/file", "a..b/c"],
)
def test_good_paths_are_kept(raw):
    assert upload_path_validate(raw) == raw


@pytest.mark.parametrize(
    ("raw", "phrase"),
    [
        ("", "Give a relative path"),
        ("/abs.tif", "Absolute"),
        ("a/../b", "'..'"),
        ("..", "'..'"),
        ("./a", "'.'"),
        ("a//b", "Empty path components"),
        ("a/", "Empty path components"),
        ("a\x00b", "NUL or control"),
        ("a\x7fb", "NUL or control"),
        ("a\x85b", "NUL or control"),
        ("a\\b", "Backslashes"),
        ("a\ud800b", "valid Unicode"),
        ("x" * 256, "255 bytes"),
        ("ü" * 128, "255 bytes"),
        ("/".join(["y" * 255] * 17), "4096 bytes"),
    ],
)
def test_bad_paths_name_the_rule(raw, phrase):
    with pytest.raises(PolicyViolation) as refused:
        upload_path_validate(raw)
    assert refused.value.rule == "UPLOAD-PATH"
    assert refused.value.field == "relativePath"
    assert phrase in refused.value.message


def test_paths_are_normalised_to_nfc():
    assert upload_path_validate("e\u0301/cafe\u0301") == "\u00e9/caf\u00e9"


def test_byte_limits_apply_after_normalisation():
    # 127 decomposed é are 381 bytes, but 254 once composed: within the 255-byte limit.
    assert upload_path_validate("e\u0301" * 127) == "\u00e9" * 127
