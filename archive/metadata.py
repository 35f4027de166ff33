"""The study-metadata contract, following REMBI's study-level fields (rule METADATA).

`metadata_clean` is the one place these rules live: a draft's wizard and API
clean what they received through it (`complete=False` while editing), and
`StudyMetadata.from_dict` is what a study is accessioned with: `study_create`
and `study_version_add` take nothing else, whether it comes from a submission,
an import or the demo data.
"""

import re
from dataclasses import dataclass, fields
from urllib.parse import quote

from django.core.exceptions import ValidationError

from core.errors import PolicyViolation
from core.orcid import orcid_validate

METADATA_RULE = "METADATA"

TAXON_ID = re.compile(r"^(?:NCBITaxon:|txid)?(\d{1,8})$", re.IGNORECASE)
FBBI_ID = re.compile(r"^FBbi[:_](\d{8})$", re.IGNORECASE)
DOI = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:)?(10\.\d{4,9}/\S+)$", re.IGNORECASE)

TEXT_FIELDS = {  # field: longest allowed length
    "title": 500,
    "description": 20_000,
    "organism": 200,
    "imaging_method": 200,
    "funding": 5_000,
    "no_publication_reason": 2_000,
    "biosample": 5_000,
    "specimen": 5_000,
    "image_acquisition": 5_000,
}
# Fields shown as paragraphs take line breaks and tabs; every other field is one line (it may become an e-mail
# subject, a page title or a citation).
MULTI_LINE_FIELDS = frozenset(
    {"description", "funding", "no_publication_reason", "biosample", "specimen", "image_acquisition"}
)
# Unicode's control characters (category Cc) and unpaired surrogates, which are not text at all.
UNPAIRED_SURROGATE = re.compile("[\ud800-\udfff]")  # JSON can escape one; no UTF-8 text, nor a reply, can carry it
NOT_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
NOT_A_PARAGRAPH = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
REQUIRED_TEXT = ("title", "description", "organism", "imaging_method")
MAX_AUTHORS = 500
# What each field is called wherever a person reads it: the wizard's form, the review step's problems.
FIELD_LABELS = {
    "metadata": "Study details",
    "title": "Title",
    "description": "Description",
    "authors": "Authors",
    "organism": "Organism",
    "organism_taxon_id": "NCBI Taxonomy id",
    "imaging_method": "Imaging method",
    "imaging_method_fbbi_id": "FBbi id",
    "keywords": "Keywords",
    "funding": "Funding",
    "publication_doi": "Publication DOI",
    "no_publication_reason": "Why there is no publication",
    "biosample": "Biosample",
    "specimen": "Specimen",
    "image_acquisition": "Image acquisition",
}
MAX_KEYWORDS = 50

# Where each identifier resolves, for people (the page's links) and machines (JSON-LD).
DOI_RESOLVER = "https://doi.org/"
NCBI_TAXONOMY_BROWSER = "https://www.ncbi.nlm.nih.gov/Taxonomy/Browser/wwwtax.cgi?id="
FBBI_BROWSER = "https://www.ebi.ac.uk/ols4/ontologies/fbbi/classes?obo_id="


class MetadataInvalid(PolicyViolation):
    """Every problem of a metadata set at once, by field, so a form or an API client can fix them together."""

    def __init__(self, *, errors: dict[str, list[str]]):
        self.errors = errors
        field, messages = next(iter(errors.items()))
        super().__init__(rule=METADATA_RULE, field=field, message=messages[0])

    def as_dict(self) -> dict:
        return {**self.errors, "rule": self.rule}


def text_problem(value: str, *, multi_line: bool = False) -> str:
    """Say what keeps `value` from being stored as the text of a field ("" when nothing does).

    A one-line field takes no control character (Unicode category Cc: line
    breaks, tabs, NUL, escapes...); a multi-line one takes line breaks and tabs
    only. An unpaired surrogate is refused everywhere: it is not text.
    """
    found = (NOT_A_PARAGRAPH if multi_line else NOT_ONE_LINE).search(value)
    if found is None:
        return ""
    code = f"U+{ord(found.group()):04X}"
    if UNPAIRED_SURROGATE.match(found.group()):
        return f"Remove the unpaired surrogate {code}: it is not text."
    if multi_line:
        return f"Remove the control character {code}; only line breaks and tabs may separate the text."
    return f"Keep it on one line, without control characters (found {code})."


def _text(value, field: str, errors: dict, *, label: str = "") -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        errors.setdefault(field, []).append(f"{label}Enter text.")
        return ""
    value = value.strip()
    if problem := text_problem(value, multi_line=field in MULTI_LINE_FIELDS):
        errors.setdefault(field, []).append(label + problem)
    if len(value) > TEXT_FIELDS.get(field, 200):
        errors.setdefault(field, []).append(f"Keep it under {TEXT_FIELDS.get(field, 200)} characters.")
    return value


def _authors(value, errors: dict) -> list[dict]:
    if value in (None, ""):
        return []
    if not isinstance(value, list) or len(value) > MAX_AUTHORS:
        errors.setdefault("authors", []).append(f"Give a list of up to {MAX_AUTHORS} authors.")
        return []
    authors = []
    for number, author in enumerate(value, start=1):
        if not isinstance(author, dict):
            errors.setdefault("authors", []).append(
                f"Author {number}: give a name, and optionally an affiliation and ORCID iD."
            )
            continue
        name = _text(author.get("name"), "authors", errors, label=f"Author {number}, name: ")
        if not name:
            errors.setdefault("authors", []).append(f"Author {number}: give a name.")
        affiliation = _text(author.get("affiliation"), "authors", errors, label=f"Author {number}, affiliation: ")
        cleaned = {"name": name, "affiliation": affiliation}
        if orcid := (author.get("orcid") or "").strip():
            try:
                cleaned["orcid"] = orcid_validate(orcid)
            except ValidationError as error:
                errors.setdefault("authors", []).append(f"Author {number} ({name}): {error.messages[0]}")
        authors.append(cleaned)
    return authors


def _keywords(value, errors: dict) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):  # a form's comma-separated line
        value = value.split(",")
    if not isinstance(value, list) or len(value) > MAX_KEYWORDS:
        errors.setdefault("keywords", []).append(f"Give up to {MAX_KEYWORDS} keywords.")
        return []
    keywords = [_text(k, "keywords", errors) for k in value]
    return list(dict.fromkeys(k for k in keywords if k))


def _identifier(value, field: str, pattern: re.Pattern, message: str, errors: dict, render) -> str:
    value = _text(value, field, errors)
    if not value or field in errors:  # empty, or not even text
        return ""
    match = pattern.match(value)
    if match is None:
        errors.setdefault(field, []).append(message)
        return ""
    return render(match.group(1))


def metadata_clean(raw: dict, *, complete: bool, publication_required: bool = True) -> dict:
    """Return the study metadata in its stored form, or raise MetadataInvalid listing every problem.

    A draft (`complete=False`) may leave fields empty; a complete set needs a
    title, a description, at least one author, organism and imaging method and,
    when `publication_required` (submitting), either a publication DOI or the
    reason there is none.
    """
    if not isinstance(raw, dict):
        raise MetadataInvalid(errors={"metadata": ["Send the study metadata as an object."]})
    errors: dict[str, list[str]] = {}
    cleaned = {field: _text(raw.get(field), field, errors) for field in TEXT_FIELDS}
    cleaned["authors"] = _authors(raw.get("authors"), errors)
    cleaned["keywords"] = _keywords(raw.get("keywords"), errors)
    cleaned["organism_taxon_id"] = _identifier(
        raw.get("organism_taxon_id"),
        "organism_taxon_id",
        TAXON_ID,
        "Enter the NCBI Taxonomy id as digits, e.g. 9606 for Homo sapiens.",
        errors,
        str,
    )
    cleaned["imaging_method_fbbi_id"] = _identifier(
        raw.get("imaging_method_fbbi_id"),
        "imaging_method_fbbi_id",
        FBBI_ID,
        "Enter the FBbi id as FBbi:00000246 (eight digits).",
        errors,
        lambda digits: f"FBbi:{digits}",
    )
    cleaned["publication_doi"] = _identifier(
        raw.get("publication_doi"),
        "publication_doi",
        DOI,
        "Enter a DOI such as 10.1038/s41592-021-01234-5.",
        errors,
        str,
    )
    if complete:
        for field in REQUIRED_TEXT:
            if not cleaned[field] and field not in errors:
                errors[field] = ["This field is needed to submit."]
        if not cleaned["authors"] and "authors" not in errors:
            errors["authors"] = ["Name at least one author."]
        publication_missing = not cleaned["publication_doi"] and not cleaned["no_publication_reason"]
        if publication_required and publication_missing and "publication_doi" not in errors:
            errors["publication_doi"] = ["Give the DOI of the related publication, or the reason there is none."]
    if errors:
        raise MetadataInvalid(errors=errors)
    return {key: value for key, value in cleaned.items() if value}


@dataclass(frozen=True)
class Author:
    name: str
    affiliation: str = ""
    orcid: str = ""  # bare, 0000-0002-1825-0097

    def as_dict(self) -> dict:
        stored = {"name": self.name, "affiliation": self.affiliation}
        return {**stored, "orcid": self.orcid} if self.orcid else stored


@dataclass(frozen=True)
class StudyMetadata:
    """The metadata of one study version, valid and complete; `as_dict()` is what StudyVersion.metadata stores."""

    # In the order metadata_clean gives them, so the stored JSON keeps its shape.
    title: str
    description: str = ""
    organism: str = ""
    imaging_method: str = ""
    funding: str = ""
    no_publication_reason: str = ""
    biosample: str = ""
    specimen: str = ""
    image_acquisition: str = ""
    authors: tuple[Author, ...] = ()
    keywords: tuple[str, ...] = ()
    organism_taxon_id: str = ""
    imaging_method_fbbi_id: str = ""
    publication_doi: str = ""

    @classmethod
    def from_dict(cls, data: dict, *, publication_required: bool = False) -> "StudyMetadata":
        """Validate `data` as a complete metadata set (see `metadata_clean`) or raise MetadataInvalid.

        A brokered dataset may come without a publication; submitting needs one or
        the reason there is none (`publication_required`).
        """
        cleaned = metadata_clean(data, complete=True, publication_required=publication_required)
        authors = tuple(Author(**author) for author in cleaned.pop("authors"))
        keywords = tuple(cleaned.pop("keywords", ()))
        return cls(**cleaned, authors=authors, keywords=keywords)

    @classmethod
    def from_stored(cls, stored: dict) -> "StudyMetadata":
        """Read what a StudyVersion already holds, without validating it again.

        It passed the contract when it was written (or predates it): pages read it on every
        request and must show an old version as it was kept, never refuse it.
        """
        names = {field.name for field in fields(cls)} - {"authors", "keywords"}
        authors = tuple(
            Author(name=a.get("name", ""), affiliation=a.get("affiliation", ""), orcid=a.get("orcid", ""))
            for a in stored.get("authors") or ()
        )
        values = {name: stored[name] for name in names if isinstance(stored.get(name), str)}
        return cls(**{"title": "", **values}, authors=authors, keywords=tuple(stored.get("keywords") or ()))

    @property
    def publication_url(self) -> str:
        # A DOI may hold "#", "?" or "%", which a URL path must escape; doi.org resolves the escaped form.
        return DOI_RESOLVER + quote(self.publication_doi, safe="/") if self.publication_doi else ""

    @property
    def organism_taxon_url(self) -> str:
        return NCBI_TAXONOMY_BROWSER + self.organism_taxon_id if self.organism_taxon_id else ""

    @property
    def imaging_method_fbbi_url(self) -> str:
        return FBBI_BROWSER + self.imaging_method_fbbi_id if self.imaging_method_fbbi_id else ""

    def as_dict(self) -> dict:
        stored = {field.name: getattr(self, field.name) for field in fields(self)}
        stored["authors"] = [author.as_dict() for author in self.authors]
        stored["keywords"] = list(self.keywords)
        return {key: value for key, value in stored.items() if value}
