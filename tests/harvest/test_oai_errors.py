"""OAI-PMH error conditions: each bad request gets the protocol's error code in a valid answer (HTTP 200), never a
500, and after badVerb or badArgument the request element carries no arguments (OAI-PMH 2.0 §3.6)."""

import pytest
from django.core import signing
from django.urls import reverse

from harvest.protocol import TOKEN_SALT
from tests.factories import make_study
from tests.harvest.oai import NS, error_code, oai_get, token, valid

pytestmark = pytest.mark.django_db

GOOD_ID = "oai:testserver:S-BIAD1"
FOREIGN_TOKEN = signing.dumps({"verb": "ListRecords"}, salt="another.salt")

BAD_REQUESTS = {
    "badVerb": [
        "",
        "verb=Harvest",
        "verb=Identify&verb=Identify",
        "verb=identify",
        "verb=%FF%FE%00",
    ],
    "badArgument": [
        "verb=Identify&set=organism",
        "verb=ListRecords",
        "verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=oai_dc",
        "verb=ListRecords&metadataPrefix=oai_dc&colour=blue",
        "verb=ListRecords&metadataPrefix=oai_dc&from=2026-13-01",
        "verb=ListRecords&metadataPrefix=oai_dc&from=yesterday",
        "verb=ListRecords&metadataPrefix=oai_dc&from=0000-01-01",
        "verb=ListRecords&metadataPrefix=oai_dc&until=2026-03-01T25:00:00Z",
        "verb=ListRecords&metadataPrefix=oai_dc&until=2026-03-01T10:00:00",
        "verb=ListRecords&metadataPrefix=oai_dc&from=2026-03-01&until=2026-03-02T10:00:00Z",
        "verb=ListRecords&metadataPrefix=oai_dc&from=2026-03-02&until=2026-03-01",
        "verb=ListRecords&resumptionToken=abc&metadataPrefix=oai_dc",
        "verb=ListRecords&metadataPrefix=oai_dc&set=species:Danio_rerio",
        "verb=ListRecords&metadataPrefix=oai_dc&set=organism:Danio%20rerio",
        "verb=ListRecords&metadataPrefix=oai_dc&set=organism:Danio~2e",
        "verb=ListRecords&metadataPrefix=oai_dc&set=organism:~FF",
        "verb=GetRecord&metadataPrefix=oai_dc",
        "verb=GetRecord&metadataPrefix=oai_dc&identifier=not%20a%20uri",
        "verb=GetRecord&metadataPrefix=oai_dc&identifier=" + "x" * 5000,
        "verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:testserver:%01",
        "verb=Identify&resumptionToken=abc",
    ],
    "badResumptionToken": [
        "verb=ListRecords&resumptionToken=abc",
        "verb=ListRecords&resumptionToken=" + FOREIGN_TOKEN,
        "verb=ListSets&resumptionToken=abc",
    ],
    "cannotDisseminateFormat": [
        "verb=ListRecords&metadataPrefix=marc21",
        f"verb=GetRecord&metadataPrefix=mods&identifier={GOOD_ID}",
    ],
    "idDoesNotExist": [
        "verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:testserver:S-BIAD404",
        "verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:elsewhere.org:S-BIAD1",
        "verb=GetRecord&metadataPrefix=oai_dc&identifier=https://testserver/studies/S-BIAD1/",
        "verb=ListMetadataFormats&identifier=oai:testserver:S-BIAD404",
    ],
    "noRecordsMatch": [
        "verb=ListRecords&metadataPrefix=oai_dc&from=2100-01-01",
        "verb=ListIdentifiers&metadataPrefix=oai_dc&set=organism:Homo_sapiens",
    ],
}
CASES = [(code, query) for code, queries in BAD_REQUESTS.items() for query in queries]


@pytest.mark.parametrize(("code", "query"), CASES, ids=[f"{code}:{query[:60]}" for code, query in CASES])
def test_each_bad_request_answers_its_oai_error_code(client, code, query):
    make_study(organism="Danio rerio")  # S-BIAD1, in the organism:Danio_rerio set

    response = client.get(reverse("oai") + "?" + query)

    assert response.status_code == 200
    root = valid(response.content)
    assert error_code(root) == code
    assert root.findtext("oai:error", namespaces=NS)
    request = root.find("oai:request", NS)
    assert request.text == "http://testserver/oai"
    if code in ("badVerb", "badArgument"):
        assert request.attrib == {}
    else:
        assert request.get("verb")


def test_a_token_of_one_list_does_not_resume_another(client, settings):
    settings.OAI_IDENTIFIERS_PAGE_SIZE = 1
    make_study()
    make_study()
    first = oai_get(client, verb="ListIdentifiers", metadataPrefix="oai_dc")

    root = oai_get(client, verb="ListRecords", resumptionToken=token(first).text)

    assert error_code(root) == "badResumptionToken"


def test_a_tampered_token_is_a_bad_resumption_token(client, settings):
    settings.OAI_IDENTIFIERS_PAGE_SIZE = 1
    make_study()
    make_study()
    issued = token(oai_get(client, verb="ListIdentifiers", metadataPrefix="oai_dc")).text
    signature = issued.rpartition(":")[2]
    tampered = signing.dumps({"verb": "ListIdentifiers", "after": 0}, salt=TOKEN_SALT).rpartition(":")[0]

    root = oai_get(client, verb="ListIdentifiers", resumptionToken=f"{tampered}:{signature}")

    assert error_code(root) == "badResumptionToken"
