"""Machine-readable records of a study version (archive.exports), each reached through the one visibility selector."""

from django.http import Http404, HttpResponse
from django.views.decorators.http import require_safe

from archive.exports.datacite import datacite_metadata, datacite_xml
from archive.selectors.visibility import StudyGone, StudyNotFound, study_get_visible, study_version_get
from archive.views.study_page import tombstone


@require_safe
def study_datacite_xml(request, accession: str, version: int | None = None):
    """The DataCite kernel-4 XML of a version (the newest without a number)."""
    try:
        study = study_get_visible(request.user, accession)
        study_version = study_version_get(study=study, number=version)
    except StudyGone as gone:
        return tombstone(request, gone.study)
    except StudyNotFound:
        raise Http404("No such study or version.") from None
    numbers = list(study.versions.order_by("number").values_list("number", flat=True))
    record = datacite_metadata(study=study, version=study_version, numbers=numbers)
    response = HttpResponse(datacite_xml(record), content_type="application/vnd.datacite.datacite+xml")
    response["Cache-Control"] = "public, max-age=300" if study.is_public else "private, no-cache"
    return response
