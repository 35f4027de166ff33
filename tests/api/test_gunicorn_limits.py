"""Under gunicorn as deployed (config/gunicorn.py), a very long search reaches the portal, which answers it."""

import subprocess

import pytest
import requests

from bench.harness import ROOT, gunicorn, portal_env

LONG_QUERY = "a" * 10_000


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The portal under gunicorn on a database of its own (the answers under test read no rows)."""
    var_dir = tmp_path_factory.mktemp("gunicorn-var")
    env = portal_env(f"sqlite:///{var_dir / 'db.sqlite3'}", "test-only-secret-key", VAR_DIR=str(var_dir))
    subprocess.run([str(ROOT / ".venv/bin/python"), "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    with gunicorn(env, name="long-query", ready_path="/robots.txt") as (url, _pid):
        yield url


def test_a_10000_character_search_gets_the_search_page_saying_it_is_too_long(served):
    response = requests.get(f"{served}/search/", params={"q": LONG_QUERY, "organism": "Homo sapiens"}, timeout=60)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert "This search is too long: 10000 characters, and a search may have at most 200." in response.text


def test_a_10000_character_api_search_gets_a_400_naming_q(served):
    response = requests.get(f"{served}/api/v1/studies/", params={"q": LONG_QUERY}, timeout=60)
    assert response.status_code == 400
    assert set(response.json()) == {"q", "rule"}


def test_a_long_referer_header_reaches_the_portal(served):
    referer = f"{served}/search/?q=" + "%C3%A9" * 3000  # a search in another script, URL-encoded
    response = requests.get(f"{served}/robots.txt", headers={"Referer": referer}, timeout=60)
    assert response.status_code == 200
