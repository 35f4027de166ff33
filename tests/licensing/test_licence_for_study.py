import pytest

from archive.models import Study
from core.errors import PolicyViolation
from licensing.models import Licence
from licensing.selectors import licence_for_study
from tests.factories import make_study

pytestmark = pytest.mark.django_db


def test_p_licence_the_six_creative_commons_licences_are_known():
    assert set(Licence.objects.values_list("spdx_id", flat=True)) == {
        "CC0-1.0",
        "CC-BY-4.0",
        "CC-BY-SA-4.0",
        "CC-BY-NC-4.0",
        "CC-BY-NC-SA-4.0",
        "CC-BY-NC-ND-4.0",
    }


def test_p_licence_direct_submission_is_cc0():
    assert licence_for_study(source="").spdx_id == "CC0-1.0"
    assert licence_for_study(source="", requested="CC0-1.0").spdx_id == "CC0-1.0"


def test_p_licence_direct_submission_cannot_choose_another_licence():
    with pytest.raises(PolicyViolation) as error:
        licence_for_study(source="", requested="CC-BY-4.0")
    assert error.value.rule == "P-LICENCE"
    assert error.value.field == "licence"
    assert "CC0-1.0" in error.value.message


def test_p_licence_imported_dataset_keeps_its_licence():
    assert licence_for_study(source="EMPIAR", requested="CC-BY-4.0").spdx_id == "CC-BY-4.0"


def test_p_licence_unknown_licence_is_refused():
    with pytest.raises(PolicyViolation, match="Unknown licence"):
        licence_for_study(source="EMPIAR", requested="WTFPL")


def test_p_licence_refused_direct_study_is_not_created(submitter):
    with pytest.raises(PolicyViolation):
        make_study(owner=submitter, licence="CC-BY-4.0")
    assert not Study.objects.exists()
