"""What the OAI-PMH tests share: the official schemas (tests/data/xsd/), a validating GET and the answer's parts."""

from pathlib import Path

from django.urls import reverse
from lxml import etree

XSD = Path(__file__).resolve().parent.parent / "data" / "xsd"
NS = {
    "oai": "http://www.openarchives.org/OAI/2.0/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
    "datacite": "http://datacite.org/schema/kernel-4",
}
# The schemas' remote imports, answered from the copies shipped with the tests.
LOCAL_COPIES = {
    "http://dublincore.org/schemas/xmls/simpledc20021212.xsd": XSD / "oai-pmh" / "simpledc20021212.xsd",
    "http://www.w3.org/2001/03/xml.xsd": XSD / "datacite-kernel-4.5" / "include" / "xml.xsd",
}
# One schema for the envelope and both metadata formats: OAI-PMH.xsd checks <metadata> contents strictly.
ALL_SCHEMAS = f"""<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:import namespace="{NS["oai"]}" schemaLocation="{(XSD / "oai-pmh" / "OAI-PMH.xsd").as_uri()}"/>
  <xs:import namespace="{NS["oai_dc"]}" schemaLocation="{(XSD / "oai-pmh" / "oai_dc.xsd").as_uri()}"/>
  <xs:import namespace="{NS["datacite"]}" schemaLocation="{(XSD / "datacite-kernel-4.5" / "metadata.xsd").as_uri()}"/>
</xs:schema>"""


class LocalSchemas(etree.Resolver):
    def resolve(self, url, public_id, context):
        if url in LOCAL_COPIES:
            return self.resolve_filename(str(LOCAL_COPIES[url]), context)
        return None


def _schema() -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(LocalSchemas())
    return etree.XMLSchema(etree.fromstring(ALL_SCHEMAS.encode(), parser, base_url=str(XSD) + "/"))


OAI_SCHEMA = _schema()


def valid(content: bytes) -> etree._Element:
    """Parse an answer and check it against OAI-PMH.xsd (with oai_dc and DataCite kernel 4.5 inside)."""
    root = etree.fromstring(content)
    OAI_SCHEMA.assertValid(root)
    return root


def oai_get(client, **arguments) -> etree._Element:
    response = client.get(reverse("oai"), arguments)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    return valid(response.content)


def error_code(root) -> str | None:
    errors = root.findall("oai:error", NS)
    return errors[0].get("code") if errors else None


def identifiers(root) -> list[str]:
    return [element.text for element in root.iterfind(".//oai:header/oai:identifier", NS)]


def token(root):
    return root.find(".//oai:resumptionToken", NS)
