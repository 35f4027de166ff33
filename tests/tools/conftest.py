import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The default hasher takes a third of a second per user."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
