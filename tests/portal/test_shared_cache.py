"""The default cache is shared by every process of one machine, and is Redis when REDIS_URL is set (docs/design.md §4).

Search generations, cached facets and allauth's rate limits live there: per-process memory would let
each gunicorn worker and the task cluster keep their own.
"""

import os
import subprocess
import sys

from django.conf import settings


def _manage_shell(code: str, **env: str) -> str:
    environment = {k: v for k, v in os.environ.items() if k != "REDIS_URL"} | env
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_a_value_cached_by_one_process_is_read_by_another(tmp_path):
    var_dir = str(tmp_path / "var")
    _manage_shell(
        "from django.core.cache import cache; cache.set('shared', 'by the first process', 60)", VAR_DIR=var_dir
    )
    read = _manage_shell("from django.core.cache import cache; print(cache.get('shared'))", VAR_DIR=var_dir)
    assert read == "by the first process"


def test_redis_url_makes_the_default_cache_redis(tmp_path):
    backend = _manage_shell(
        "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])",
        VAR_DIR=str(tmp_path / "var"),
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    assert backend == "django.core.cache.backends.redis.RedisCache"
