import pytest
from django.test import Client

from tests.factories import UserFactory, make_curator


@pytest.fixture(autouse=True)
def archive_in_tmp(settings, tmp_path):
    """Every test gets its own archive and upload folders."""
    settings.STORAGES = {
        **settings.STORAGES,
        "archive": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "archive", "base_url": None},
        },
    }
    settings.ARCHIVE_ROOT = tmp_path / "archive"
    settings.UPLOAD_ROOT = tmp_path / "uploads"


@pytest.fixture
def submitter(db):
    return UserFactory(username="submitter")


@pytest.fixture
def other_user(db):
    return UserFactory(username="other_user")


@pytest.fixture
def curator(db):
    return make_curator()


@pytest.fixture
def anonymous_client():
    return Client()


def _client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def submitter_client(submitter):
    return _client_for(submitter)


@pytest.fixture
def other_client(other_user):
    return _client_for(other_user)


@pytest.fixture
def curator_client(curator):
    return _client_for(curator)
