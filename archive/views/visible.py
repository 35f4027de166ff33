"""The one way study views answer a study the caller may not reach: a removed entry's tombstone (410), else 404.

Views resolve a study only through archive.selectors.visibility (the accession) or a reviewer link (the token);
`answers_unreachable` turns the StudyGone and StudyNotFound those raise into the same answers on every route.
"""

import functools

from django.http import Http404
from django.shortcuts import render

from archive.models import Study, StudyVersion
from archive.selectors.visibility import StudyGone, StudyNotFound, study_get_visible, study_version_get


def tombstone(request, study: Study):
    """Answer 410 for a removed entry: accession, date and reason category only (P-REMOVE)."""
    context = {
        "accession": study.accession,
        "removed_at": study.status_changed_at,
        "reason": study.get_status_reason_display() if study.status_reason else "",
    }
    return render(request, "archive/tombstone.html", context, status=410)


def visible_version(request, accession: str, number: int | None) -> tuple[Study, StudyVersion]:
    """The study the caller sees and its version `number` (the newest when None), without the version list.

    Raise StudyNotFound or StudyGone as the visibility selector does; downloads, files and manifests need this
    one version, not the page's list of every version with its metadata (`study_page_get`).
    """
    study = study_get_visible(request.user, accession)
    return study, study_version_get(study=study, number=number)


def _keep_private(response):
    """Keep a reviewer link's token out of search engines and Referer headers (docs/design.md §5.2)."""
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


def answers_unreachable(view=None, *, private: bool = False):
    """Wrap `view(request, ...)`: a removed study answers its tombstone, one the caller may not see (or a version,
    folder or file it lacks) 404. With `private` (reviewer-link routes) every answer it gives is kept private.
    """
    if view is None:
        return functools.partial(answers_unreachable, private=private)

    @functools.wraps(view)
    def answered(request, *args, **kwargs):
        try:
            response = view(request, *args, **kwargs)
        except StudyGone as gone:
            response = tombstone(request, gone.study)
        except StudyNotFound:
            raise Http404("No such study, version, folder or file.") from None
        return _keep_private(response) if private else response

    return answered
