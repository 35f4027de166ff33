"""The answer to one OAI-PMH request: the envelope, then each verb's list or the protocol's error element.

Errors are answers too (HTTP 200, per the protocol): `oai_answer` never raises for any input.
"""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from lxml import etree

from core.links import portal_url
from harvest.protocol import (
    LIST_VERBS,
    METADATA_FORMATS,
    OaiError,
    OaiRequest,
    datestamp,
    identifier_accession,
    request_parse,
)
from harvest.records import OAI, XSI, header_add, oai_element, record_add
from harvest.selectors import earliest_datestamp, harvest_page, harvest_sets, harvestable_get, record_parts

OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
# After these the protocol wants the request element without its arguments: they were not understood.
UNECHOED_ERRORS = ("badVerb", "badArgument")


def _envelope(now) -> etree._Element:
    root = etree.Element(f"{{{OAI}}}OAI-PMH", nsmap={None: OAI, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", f"{OAI} {OAI_SCHEMA}")
    oai_element(root, "responseDate", datestamp(now))
    return root


def _identify(parent, request: OaiRequest) -> None:
    identify = oai_element(parent, "Identify")
    oai_element(identify, "repositoryName", settings.PORTAL_NAME)
    oai_element(identify, "baseURL", portal_url(reverse("oai")))
    oai_element(identify, "protocolVersion", "2.0")
    oai_element(identify, "adminEmail", settings.OAI_ADMIN_EMAIL)
    oai_element(identify, "earliestDatestamp", datestamp(earliest_datestamp() or timezone.now()))
    oai_element(identify, "deletedRecord", "persistent")
    oai_element(identify, "granularity", "YYYY-MM-DDThh:mm:ssZ")


def _metadata_formats(parent, request: OaiRequest) -> None:
    if request.identifier:
        harvestable_get(identifier_accession(request.identifier))
    formats = oai_element(parent, "ListMetadataFormats")
    for metadata_format in METADATA_FORMATS.values():
        entry = oai_element(formats, "metadataFormat")
        oai_element(entry, "metadataPrefix", metadata_format.prefix)
        oai_element(entry, "schema", metadata_format.schema)
        oai_element(entry, "metadataNamespace", metadata_format.namespace)


def _sets(parent, request: OaiRequest) -> None:
    sets = oai_element(parent, "ListSets")
    for spec, name in harvest_sets():
        entry = oai_element(sets, "set")
        oai_element(entry, "setSpec", spec)
        oai_element(entry, "setName", name)


def _record(parent, request: OaiRequest) -> None:
    study = harvestable_get(identifier_accession(request.identifier))
    parts = record_parts([study], datacite=request.metadata_prefix == "oai_datacite").get(study.pk)
    record_add(oai_element(parent, "GetRecord"), study, parts, request.metadata_prefix)


def _list(parent, request: OaiRequest) -> None:
    """One page of headers or records, with the token of the next page (empty on the last page of a resumed list)."""
    headers_only = request.verb == "ListIdentifiers"
    size = settings.OAI_IDENTIFIERS_PAGE_SIZE if headers_only else settings.OAI_PAGE_SIZE
    page = harvest_page(request, size=size, headers_only=headers_only)
    if not page.studies:
        raise OaiError("noRecordsMatch", "No record matches these arguments.")
    listing = oai_element(parent, request.verb)
    if headers_only:
        for study in page.studies:
            header_add(listing, study)
    else:
        parts = record_parts(page.studies, datacite=request.metadata_prefix == "oai_datacite")
        for study in page.studies:
            record_add(listing, study, parts.get(study.pk), request.metadata_prefix)
    if page.more:
        token = request.next_token(last_pk=page.studies[-1].pk, count=len(page.studies))
        oai_element(listing, "resumptionToken", token, cursor=str(request.cursor))
    elif request.resumed:
        oai_element(listing, "resumptionToken", cursor=str(request.cursor))


VERBS = {
    "Identify": _identify,
    "ListMetadataFormats": _metadata_formats,
    "ListSets": _sets,
    "GetRecord": _record,
    **dict.fromkeys(LIST_VERBS, _list),
}


def oai_answer(arguments) -> bytes:
    """The XML answer to an OAI-PMH request whose arguments (a QueryDict) came by GET or POST."""
    root = _envelope(timezone.now())
    request_element = oai_element(root, "request", portal_url(reverse("oai")))
    try:
        request = request_parse(arguments)
        VERBS[request.verb](root, request)
        echoed = True
    except OaiError as error:
        # The error replaces whatever the verb had begun to write.
        del root[2:]
        oai_element(root, "error", error.message, code=error.code)
        echoed = error.code not in UNECHOED_ERRORS
    if echoed:
        # Past request_parse's first checks every argument is a known one, given once, printable.
        request_element.attrib.update(arguments.dict())
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
