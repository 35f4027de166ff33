import base64
import hashlib
import io

import pytest
from rest_framework.authtoken.models import Token

from uploads.storage import hash_states

TUS_URL = "/api/v1/uploads/tus/"
FILES_URL = "/api/v1/uploads/files/"


def metadata(**values: str) -> str:
    return ",".join(f"{key} {base64.b64encode(value.encode()).decode()}" for key, value in values.items())


def sha256_header(data: bytes) -> str:
    return "sha256 " + base64.b64encode(hashlib.sha256(data).digest()).decode()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The default hasher takes a third of a second per user; these tests make several."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_hash_states():
    """Each test starts as a freshly started web process would."""
    hash_states.clear()
    yield
    hash_states.clear()


@pytest.fixture
def submitter_token(submitter):
    return Token.objects.create(user=submitter).key


@pytest.fixture
def other_token(other_user):
    return Token.objects.create(user=other_user).key


def make_upload(owner, path: str, data: bytes, *, complete: bool = True):
    """Upload `data` at `path` through the services (all of it, or half when not `complete`)."""
    from uploads.services.upload import upload_create

    sent = data if complete else data[: len(data) // 2]
    return upload_create(owner=owner, size=len(data), relative_path=path, body=io.BytesIO(sent), body_length=len(sent))
