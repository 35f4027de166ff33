"""Demo upload areas: alice's and bob's files of various ages, so the deletion dates and warnings show.

Files are small real images and notes, put in place through the upload services
with the time their upload ended, so each one's deletion date follows the rule
(P-UPLOAD-RETENTION). The files due soonest are placed by deletion time instead.
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from portal.demo.images import synthetic_image, tiff_bytes
from uploads.models import UploadFile
from uploads.services.retention import upload_expiry_after
from uploads.services.upload import upload_file_put

DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)


@dataclass(frozen=True)
class DemoUpload:
    owner: str
    path: str
    # Exactly one of: how long ago the upload ended (or last received data), or how soon it is deleted.
    ago: datetime.timedelta | None = None
    deleted_in: datetime.timedelta | None = None
    # Received this share of the file; below 1 the upload is unfinished.
    received: float = 1.0


UPLOADS = (
    DemoUpload("alice", "plate2/A01_ch1.tif", ago=2 * HOUR),
    DemoUpload("alice", "plate2/A01_ch2.tif", ago=2 * HOUR),
    DemoUpload("alice", "plate2/B01_ch1.tif", ago=3 * DAY),
    DemoUpload("alice", "plate2/notes/acquisition.md", ago=3 * DAY),
    DemoUpload("alice", "timelapse/t0000.tif", ago=40 * DAY),
    DemoUpload("alice", "timelapse/t0001.tif", ago=40 * DAY, received=0.5),
    DemoUpload("alice", "pilot/overview.tif", deleted_in=9 * DAY),
    DemoUpload("alice", "pilot/old_scan.tif", deleted_in=30 * HOUR),
    DemoUpload("bob", "em/grid1/square_01.tif", ago=HOUR),
    DemoUpload("bob", "em/grid1/square_02.tif", ago=HOUR),
    DemoUpload("bob", "em/grid1/README.txt", ago=6 * DAY),
    DemoUpload("bob", "em/grid2/square_01.tif", ago=25 * DAY),
    DemoUpload("bob", "em/grid2/square_02.tif", ago=60 * DAY),
    DemoUpload("bob", "lightsheet/z000.tif", ago=2 * DAY, received=0.3),
    DemoUpload("bob", "lightsheet/z001.tif", deleted_in=12 * DAY),
    DemoUpload("bob", "old/test_run.tif", deleted_in=20 * HOUR),
)


def demo_uploads_seed(*, now: datetime.datetime | None = None) -> int:
    """Give alice and bob their demo upload files unless alice has some; return how many were made.

    Runs in one transaction; bytes written before a failure stay on disk, unreferenced.
    """
    now = now or timezone.now()
    if UploadFile.objects.filter(area__owner__username="alice").exists():
        return 0
    users = {user.username: user for user in get_user_model().objects.filter(username__in={"alice", "bob"})}
    with transaction.atomic():
        for index, spec in enumerate(UPLOADS):
            content = _content(index, spec.path)
            received = content[: int(len(content) * spec.received)]
            upload_file_put(
                owner=users[spec.owner],
                relative_path=spec.path,
                content=received,
                size=len(content),
                now=_received_at(spec, now),
            )
    return len(UPLOADS)


def _received_at(spec: DemoUpload, now: datetime.datetime) -> datetime.datetime:
    if spec.ago is not None:
        return now - spec.ago
    # The first hour whose deletion time is not before the wanted one. Month ends make some deletion
    # times unreachable (nothing is deleted on 29-31 May of a common year); those files then go a little later.
    wanted = now + spec.deleted_in
    moment = wanted - datetime.timedelta(days=92)
    while upload_expiry_after(moment) < wanted:
        moment += HOUR
    return moment


def _content(index: int, path: str) -> bytes:
    if path.endswith(".tif"):
        kind = "em" if path.startswith("em/") else "tissue" if path.startswith("lightsheet/") else "cells"
        return tiff_bytes(synthetic_image(seed=9000 + index, kind=kind, size=64))
    return f"Demo notes for {path}: acquisition settings, sample preparation and file naming.\n".encode()
