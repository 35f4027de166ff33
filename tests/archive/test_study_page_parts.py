"""The study page and the reviewer page share their file table, header and about-box
(templates/archive/includes/): each page's download links, badges and authors stay its own."""

import pytest
from django.test import Client
from django.urls import reverse

from archive.services.access import reviewer_link_create
from archive.services.accession import study_version_add
from archive.services.status import files_set_status
from tests.factories import make_curator, make_study, stored_file

pytestmark = pytest.mark.django_db


def _files():
    return [stored_file("images/a.tif", b"a pixels"), stored_file("images/b.tif", b"b pixels")]


def test_study_page_links_newest_or_pinned_version_files_and_manifest(anonymous_client, submitter):
    study = make_study(owner=submitter, files=_files())
    study_version_add(study=study, metadata=study.versions.get().metadata, files=_files(), note="Again")
    newest = anonymous_client.get(reverse("study-detail", args=[study.accession])).content.decode()
    assert f'href="{reverse("study-file", args=[study.accession, "images/a.tif"])}"' in newest
    assert f'href="{reverse("study-manifest", args=[study.accession])}"' in newest
    pinned = anonymous_client.get(reverse("study-version", args=[study.accession, 1])).content.decode()
    assert f'href="{reverse("study-version-file", args=[study.accession, 1, "images/a.tif"])}"' in pinned
    assert f'href="{reverse("study-version-manifest", args=[study.accession, 1])}"' in pinned
    assert "Version</dt><dd" in pinned and "1 of 2," in pinned


def test_p_obsolete_file_badge_shows_on_study_and_reviewer_pages(anonymous_client, submitter):
    released = make_study(owner=submitter, files=_files())
    confidential = make_study(owner=submitter, status="confidential", title="Under review", files=_files())
    for study in (released, confidential):
        files_set_status(
            version=study.versions.get(),
            paths=["images/b.tif"],
            status="obsolete",
            actor=make_curator(),
            reason_category="superseded",
        )
    _link, token = reviewer_link_create(study=confidential, actor=submitter)
    public = anonymous_client.get(reverse("study-detail", args=[released.accession])).content.decode()
    review = Client().get(reverse("review", args=[token])).content.decode()
    for body in (public, review):
        assert 'images/b.tif <span class="badge text-bg-warning">Obsolete</span>' in body
    assert f'href="{reverse("review-file", args=[token, "images/a.tif"])}"' in review
    assert f'href="{reverse("review-manifest", args=[token])}"' in review
    assert f"/studies/{confidential.accession}/files/" not in review


def test_p_remove_removed_file_badge_shows_to_curators_only(curator_client, anonymous_client, submitter):
    study = make_study(owner=submitter, files=_files())
    files_set_status(
        version=study.versions.get(),
        paths=["images/b.tif"],
        status="removed",
        actor=make_curator(),
        reason_category="other",
    )
    url = reverse("study-detail", args=[study.accession])
    assert 'images/b.tif <span class="badge text-bg-danger">Removed</span>' in curator_client.get(url).content.decode()
    assert "images/b.tif" not in anonymous_client.get(url).content.decode()


def test_anonymised_reviewer_page_names_no_author_anywhere(submitter):
    study = make_study(owner=submitter, status="confidential", title="Under review", files=_files())
    _link, token = reviewer_link_create(study=study, actor=submitter, anonymised=True)
    body = Client().get(reverse("review", args=[token])).content.decode()
    assert "Ada Lovelace" not in body and "Rosalind Franklin" not in body
    assert 'aria-label="Authors"' not in body
    assert "Release date</dt>" in body
