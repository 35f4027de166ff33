"""How to cite a study version: APA text (citeproc-py with the CSL project's APA style), BibTeX, RIS and CSL-JSON.

Every format is made from one CSL-JSON item, so they never disagree. The DOI is cited when the version has one;
otherwise the version's permanent address.
"""

import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import bibtexparser
import rispy
from bibtexparser import model
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from archive.metadata import StudyMetadata
from archive.models import Study, StudyVersion
from archive.selectors.dois import StudyDois, doi_url

# apa.csl: "APA Style 7th edition" from https://github.com/citation-style-language/styles, CC BY-SA 3.0.
APA_STYLE = Path(__file__).with_name("apa.csl")
APA_CACHE_SECONDS = 7 * 24 * 3600

BIBTEX, RIS, CSL_JSON = (
    "application/x-bibtex",
    "application/x-research-info-systems",
    "application/vnd.citationstyles.csl+json",
)


@dataclass(frozen=True)
class CitationFormat:
    media_type: str
    extension: str
    label: str


CITATION_FORMATS = (
    CitationFormat(BIBTEX, "bib", "BibTeX"),
    CitationFormat(RIS, "ris", "RIS"),
    CitationFormat(CSL_JSON, "json", "CSL-JSON"),
)


def _person(name: str) -> dict:
    """CSL's name parts: "Family, Given" as written, else the last word is taken as the family name."""
    if "," in name:
        family, given = (part.strip() for part in name.split(",", 1))
    else:
        given, _, family = name.strip().rpartition(" ")
    return {"family": family, "given": given} if given else {"literal": family}


def citation_item(*, study: Study, version: StudyVersion, url: str, doi: str = "") -> dict:
    """The CSL-JSON item of `version` of `study`, found at `url` (its page) or `doi`."""
    metadata = StudyMetadata.from_stored(version.metadata)
    item = {
        "id": study.accession,
        "type": "dataset",
        "title": metadata.title or study.title,
        "author": [_person(author.name) for author in metadata.authors if author.name.strip()],
        "issued": {"date-parts": [[study.release_date.year, study.release_date.month, study.release_date.day]]},
        "publisher": settings.PORTAL_NAME,
        "number": study.accession,
        "version": str(version.number),
        "URL": url,
    }
    if doi:
        item["DOI"] = doi
    if metadata.keywords:
        item["keyword"] = ", ".join(metadata.keywords)
    if metadata.description:
        item["abstract"] = metadata.description
    return item


def page_citation_item(request, *, study: Study, version: StudyVersion, pinned: bool, dois: StudyDois) -> dict:
    """The item of a version cited at the address its page was opened by: the version's own (pinned) or the study's,
    with the DOI of the same (the version's or the concept DOI) once registered."""
    route, args = (
        ("study-version", [study.accession, version.number]) if pinned else ("study-detail", [study.accession])
    )
    url = request.build_absolute_uri(reverse(route, args=args))
    return citation_item(study=study, version=version, url=url, doi=dois.for_page(version.number, pinned=pinned) or "")


@functools.cache
def _apa_style() -> CitationStylesStyle:
    return CitationStylesStyle(str(APA_STYLE), validate=False)


def _apa(item: dict, output) -> str:
    """Format `item` in APA; cached by the item's content, since citeproc-py takes a tenth of a second per entry."""
    digest = hashlib.sha256(json.dumps([item, output.__name__], sort_keys=True).encode()).hexdigest()

    def render() -> str:
        bibliography = CitationStylesBibliography(_apa_style(), CiteProcJSON([item]), output)
        bibliography.register(Citation([CitationItem(item["id"])]))
        return str(bibliography.bibliography()[0])

    return cache.get_or_set(f"archive:apa:{digest}", render, APA_CACHE_SECONDS)


def _escaped(value):
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, dict):
        return {key: _escaped(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_escaped(inner) for inner in value]
    return value


def citation_apa_html(item: dict) -> SafeString:
    """The APA reference as HTML: the title in italics, the address a link.

    citeproc-py's HTML formatter adds its markup to the text as given, so every value is escaped first.
    """
    escaped = _escaped(item)
    address = doi_url(escaped["DOI"]) if "DOI" in escaped else escaped["URL"]  # APA cites the DOI when there is one
    return mark_safe(_apa(escaped, formatter.html).replace(address, f'<a href="{address}">{address}</a>', 1))


def citation_apa_text(item: dict) -> str:
    return _apa(item, formatter.plain)


def _bibtex_value(text: str) -> str:
    # BibTeX reads braces as grouping: unmatched ones would break the entry, so they are dropped.
    return text.replace("{", "").replace("}", "")


def citation_bibtex(item: dict) -> str:
    names = [
        _bibtex_value(f"{a['family']}, {a['given']}") if "given" in a else "{" + _bibtex_value(a["literal"]) + "}"
        for a in item["author"]
    ]
    fields = {
        "author": " and ".join(names),
        # Braced twice so that BibTeX styles keep the title's capitals (cell line and gene names).
        "title": "{" + _bibtex_value(item["title"]) + "}",
        "year": str(item["issued"]["date-parts"][0][0]),
        "publisher": _bibtex_value(item["publisher"]),
        "version": item["version"],
        "url": item["URL"],
        "doi": item.get("DOI", ""),
        "note": f"Dataset {item['number']}",
    }
    library = bibtexparser.Library()
    entry = model.Entry("misc", item["id"], [model.Field(key, value) for key, value in fields.items() if value])
    library.add(entry)
    return bibtexparser.write_string(library)


class _RisWriter(rispy.RisWriter):
    def set_header(self, count: int) -> str:
        return ""  # no "1." line before the reference: one reference, as reference managers expect


def citation_ris(item: dict) -> str:
    reference = {
        "type_of_reference": "DATA",
        "authors": [f"{a['family']}, {a['given']}" if "given" in a else a["literal"] for a in item["author"]],
        "title": item["title"],
        "year": str(item["issued"]["date-parts"][0][0]),
        "publisher": item["publisher"],
        "urls": [item["URL"]],
        "edition": item["version"],
        "accession_number": item["number"],
    }
    if "DOI" in item:
        reference["doi"] = item["DOI"]
    return rispy.dumps([reference], implementation=_RisWriter)


def citation_csl_json(item: dict) -> str:
    return json.dumps([item], ensure_ascii=False, indent=2)


RENDERERS = {BIBTEX: citation_bibtex, RIS: citation_ris, CSL_JSON: citation_csl_json}


def citation_render(item: dict, media_type: str) -> str:
    return RENDERERS[media_type](item)
