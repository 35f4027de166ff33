"""The XML of OAI-PMH records: headers, `oai_dc` (simple Dublin Core) and `oai_datacite` (the DataCite kernel-4
`<resource>`, as Zenodo serves it), built with lxml."""

from django.conf import settings
from django.urls import reverse
from lxml import etree

from archive.exports.datacite import datacite_metadata, datacite_xml
from archive.metadata import DOI_RESOLVER, StudyMetadata
from archive.models import Study
from archive.selectors.visibility import study_record_is_live
from core.links import portal_url
from harvest.protocol import METADATA_FORMATS, datestamp, record_identifier, set_spec_encode
from harvest.selectors import StudyRecordParts

OAI = "http://www.openarchives.org/OAI/2.0/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
OAI_DC = METADATA_FORMATS["oai_dc"].namespace
DC = "http://purl.org/dc/elements/1.1/"


def oai_element(parent, name: str, text: str | None = None, **attributes) -> etree._Element:
    element = etree.SubElement(parent, f"{{{OAI}}}{name}", attributes)
    element.text = text
    return element


def study_set_specs(study: Study) -> list[str]:
    values = {"organism": study.organism, "imaging_method": study.imaging_method, "licence": study.licence.spdx_id}
    return [set_spec_encode(kind, value) for kind, value in values.items() if value]


def header_add(parent, study: Study) -> None:
    """A record's header; a tombstone's says `deleted` and names no set, since its metadata is gone."""
    live = study_record_is_live(study)
    header = oai_element(parent, "header", **({} if live else {"status": "deleted"}))
    oai_element(header, "identifier", record_identifier(study.accession))
    oai_element(header, "datestamp", datestamp(study.record_changed_at or study.created_at))
    for spec in study_set_specs(study) if live else []:
        oai_element(header, "setSpec", spec)


def _dublin_core(study: Study, parts: StudyRecordParts) -> etree._Element:
    metadata = StudyMetadata.from_stored(parts.version.metadata)
    root = etree.Element(f"{{{OAI_DC}}}dc", nsmap={"oai_dc": OAI_DC, "dc": DC, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", f"{OAI_DC} {METADATA_FORMATS['oai_dc'].schema}")
    values = [
        ("title", metadata.title or study.title),
        *(("creator", author.name) for author in metadata.authors),
        ("subject", metadata.organism),
        ("subject", metadata.imaging_method),
        *(("subject", keyword) for keyword in metadata.keywords),
        ("description", metadata.description),
        ("publisher", settings.PORTAL_NAME),
        ("date", study.release_date.isoformat()),
        ("type", "Dataset"),
        ("identifier", portal_url(reverse("study-detail", args=[study.accession]))),
        ("identifier", DOI_RESOLVER + parts.doi if parts.doi else ""),
        ("rights", study.licence.url),
        ("relation", metadata.publication_url),
    ]
    for name, text in values:
        if text:
            etree.SubElement(root, f"{{{DC}}}{name}").text = text
    return root


def _datacite(study: Study, parts: StudyRecordParts) -> etree._Element:
    record = datacite_metadata(study=study, version=parts.version, numbers=parts.numbers, reads=parts.reads)
    return etree.fromstring(datacite_xml(record, doi=parts.doi))


BUILDERS = {"oai_dc": _dublin_core, "oai_datacite": _datacite}


def record_add(parent, study: Study, parts: StudyRecordParts | None, prefix: str) -> None:
    """A record: its header, and the metadata in format `prefix` unless it is a tombstone (`parts` None)."""
    record = oai_element(parent, "record")
    header_add(record, study)
    if parts is not None and study_record_is_live(study):
        oai_element(record, "metadata").append(BUILDERS[prefix](study, parts))
