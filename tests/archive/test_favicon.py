"""The portal's icon: linked from every page, and /favicon.ico answers for browsers that ask for it anyway."""

import xml.etree.ElementTree as ET

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static

from tests.factories import make_study

pytestmark = pytest.mark.django_db

ICON = "img/favicon.svg"


def test_favicon_is_an_svg_linked_from_the_pages(anonymous_client):
    study = make_study()
    link = f'<link rel="icon" href="{static(ICON)}" type="image/svg+xml">'

    for url in ("/", "/search/", f"/studies/{study.accession}/"):
        assert link in anonymous_client.get(url).content.decode(), url
    root = ET.parse(finders.find(ICON)).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"


def test_favicon_ico_redirects_to_the_svg(anonymous_client):
    answer = anonymous_client.get("/favicon.ico")

    assert answer.status_code == 302
    assert answer["Location"] == static(ICON)
    assert anonymous_client.head("/favicon.ico").status_code == 302
    assert anonymous_client.post("/favicon.ico").status_code == 405
