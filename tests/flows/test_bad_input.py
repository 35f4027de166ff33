"""Malformed addresses and parameters get a clear 4xx, never a 500, and change nothing."""

import pytest

from archive.models import Study
from tests.factories import make_study

pytestmark = pytest.mark.django_db


URLS = [
    "/studies/S-BIAD1/v0/",
    "/studies/S-BIAD1/v99999999999999999999999/",
    "/studies/%00/",
    "/studies/S-BIAD1%00/",
    "/studies/S-BIAD1/files/../x",
    "/studies/S-BIAD1/files/%00",
    "/search/?page=-1&year=1e9",
    "/search/?q=%00",
    "/search/?organism=%00",
    "/studies/S-BIAD1/v99999999999999999999999/manifest.sha256",
    "/studies/S-BIAD1/v2/files/a",
    "/api/v1/studies/S-BIAD1/versions/99999999999999999999/",
    "/api/v1/studies/?q=%00",
    "/api/v1/studies/?organism=%00",
    "/studies/" + "A" * 5000 + "/",
    "/search/?q=" + "a&" * 3000,
    "/api/v1/studies/S-BIAD1/files/?version=999999999999999999999",
    "/studies/S-BIAD1/files/" + "a/" * 3000 + "b",
    "/sitemap.xml?p=abc",
    "/sitemap.xml?p=99",
]


@pytest.mark.parametrize("url", URLS)
def test_bad_input_answers_a_4xx_never_a_500(anonymous_client, url):
    make_study()
    before = list(Study.objects.values())
    response = anonymous_client.get(url)
    assert 400 <= response.status_code < 500, (url, response.status_code)
    assert list(Study.objects.values()) == before
