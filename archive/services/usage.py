"""Counting the use of public studies following the COUNTER Code of Practice for Research Data.

An investigation is a view of the accession page or of one of its metadata records (DataCite XML, a
citation, a negotiated record); a request is a download of data: one file, the whole-study ZIP or the
download list (whose addresses may be signed object-store URLs that never pass the portal). COUNTER counts
every request as an investigation too. What is not counted: robots (COUNTER-Robots, archive/data/), a
second hit on the same path by the same user-session within 30 s (the double-click rule), a range request
that continues a download (only the one from byte 0 counts), HEAD requests, and any study that is not
public: confidential studies' views by their owners, collaborators or curators are never counted.

Recording costs one SELECT and one INSERT on the request path; a failure is logged, never answered with a 500.
"""

import datetime
import functools
import hashlib
import json
import logging
import re
import secrets
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from archive.models import Study, UsageEvent, UsageKind, UsageSalt

logger = logging.getLogger(__name__)

ROBOTS_LIST = Path(__file__).resolve().parent.parent / "data" / "counter_robots" / "COUNTER_Robots_list.json"
DOUBLE_CLICK = datetime.timedelta(seconds=30)


@functools.cache
def _robots() -> re.Pattern:
    """COUNTER's robot patterns as one case-insensitive expression, read once per process."""
    patterns = [entry["pattern"] for entry in json.loads(ROBOTS_LIST.read_text(encoding="utf-8"))]
    return re.compile("|".join(f"(?:{pattern})" for pattern in patterns), re.IGNORECASE)


def is_robot(user_agent: str) -> bool:
    """True when COUNTER regards `user_agent` as a robot (an empty one included)."""
    return _robots().search(user_agent) is not None


# One process keeps the day's salt after reading it once; the database shares it between processes.
_salts: dict[datetime.date, str] = {}


def _daily_salt(day: datetime.date) -> str:
    if day not in _salts:
        salt, created = UsageSalt.objects.get_or_create(day=day, defaults={"salt": secrets.token_hex(32)})
        if created:  # yesterday's stays while a process may still be finishing its day; older ones go
            UsageSalt.objects.filter(day__lt=day - datetime.timedelta(days=1)).delete()
        _salts.clear()
        _salts[day] = salt.salt
    return _salts[day]


def _visitor(request, day: datetime.date) -> str:
    """The user-session of COUNTER on `day`: the session key, or when there is none the address and user agent."""
    session = getattr(request, "session", None)
    key = session.session_key if session is not None else None
    if key:
        identity = f"session {key}"
    else:
        identity = f"agent {request.META.get('REMOTE_ADDR', '')} {request.META.get('HTTP_USER_AGENT', '')}"
    return hashlib.sha256(f"{_daily_salt(day)} {identity}".encode()).hexdigest()


def _continues_a_download(request) -> bool:
    ranges = request.META.get("HTTP_RANGE", "").replace(" ", "")
    return bool(ranges) and not ranges.startswith("bytes=0-")


def _record(request, study: Study, kind: UsageKind) -> bool:
    if request.method != "GET" or not study.is_public:
        return False
    if is_robot(request.META.get("HTTP_USER_AGENT", "")):
        return False
    if kind == UsageKind.REQUEST and _continues_a_download(request):
        return False
    now = timezone.now()
    day = timezone.localdate(now)
    visitor = _visitor(request, day)
    target = hashlib.sha256(request.path.encode()).hexdigest()
    with transaction.atomic():
        recent = UsageEvent.objects.filter(visitor=visitor, target=target, occurred_at__gt=now - DOUBLE_CLICK)
        if recent.exists():
            return False
        UsageEvent.objects.create(study=study, kind=kind, visitor=visitor, target=target, day=day, occurred_at=now)
    return True


def usage_record(request, study: Study, kind: UsageKind) -> bool:
    """Count one investigation or request of `study` by `request`'s caller; return whether it counted.

    The caller has already resolved `study` through the visibility selector. Never raises: a failure to
    count is logged and the page or download is answered as usual.
    """
    try:
        return _record(request, study, kind)
    except Exception:
        logger.exception("The use of %s was not counted", study.accession)
        return False
