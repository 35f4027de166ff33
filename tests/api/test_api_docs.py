"""The API's documentation page works without the internet: Redoc is served by the portal itself."""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.django_db


class _Resources(HTMLParser):
    """Collect the address of every script, stylesheet and other resource a page loads."""

    def __init__(self):
        super().__init__()
        self.scripts, self.others = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.scripts.append(attrs["src"])
        elif tag == "link" and attrs.get("href"):
            self.others.append(attrs["href"])


def test_api_docs_load_redoc_from_the_portal_only(anonymous_client, settings):
    settings.WHITENOISE_USE_FINDERS = True  # serve the apps' static files as collectstatic would gather them
    response = anonymous_client.get("/api/docs/")
    assert response.status_code == 200
    resources = _Resources()
    resources.feed(response.content.decode())
    assert resources.scripts, "the page loads Redoc"
    for url in resources.scripts + resources.others:
        assert not urlsplit(url).netloc and url.startswith("/"), f"{url} is not on the portal"
    for url in resources.scripts:
        script = anonymous_client.get(url)
        assert script.status_code == 200, url
        assert b"Redoc" in b"".join(script.streaming_content if script.streaming else [script.content])
