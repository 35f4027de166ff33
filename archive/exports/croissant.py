"""ML Croissant 1.0 (http://mlcommons.org/croissant/1.0) description of a study version, with its files.

Unlike the "slim" exports of the peers, the files are a record set: `files.csv` lists every downloadable file of the
version (path, address, size, SHA-256, content type, File List attributes as a JSON object) and is the record set's
source, so `mlcroissant.Dataset(...).records("files")` iterates a study of any size. The listing is streamed; its
SHA-256, which Croissant requires of a file object, is computed once and cached until a file is removed. A small
version also lists each file as a FileObject of its own.
"""

import csv
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote

from django.core.cache import cache

from archive.downloads import content_type_of
from archive.exports.citations import BIBTEX, citation_render
from archive.metadata import StudyMetadata
from archive.models import Study, StudyFolder, StudyVersion
from archive.selectors.dois import doi_url
from archive.selectors.manifest import downloadable_files
from archive.templatetags.archive_tags import orcid_url

CONFORMS_TO = "http://mlcommons.org/croissant/1.0"
CSV_COLUMNS = ("path", "url", "size", "sha256", "content_type", "attributes")
CSV_ID = "files-csv"
ROWS_PER_FETCH = 2000
FILE_OBJECTS_MAX = 100
LISTING_CACHE_SECONDS = 7 * 24 * 3600

# The context of Croissant 1.0 documents, as mlcroissant checks it (the spec's, with its later additions).
CONTEXT = {
    "@language": "en",
    "@vocab": "https://schema.org/",
    "citeAs": "cr:citeAs",
    "column": "cr:column",
    "conformsTo": "dct:conformsTo",
    "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/",
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract",
    "field": "cr:field",
    "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet",
    "format": "cr:format",
    "includes": "cr:includes",
    "isLiveDataset": "cr:isLiveDataset",
    "jsonPath": "cr:jsonPath",
    "key": "cr:key",
    "md5": "cr:md5",
    "parentField": "cr:parentField",
    "path": "cr:path",
    "recordSet": "cr:recordSet",
    "references": "cr:references",
    "regex": "cr:regex",
    "repeated": "cr:repeated",
    "replace": "cr:replace",
    "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/",
    "separator": "cr:separator",
    "source": "cr:source",
    "subField": "cr:subField",
    "transform": "cr:transform",
}

_FIELDS = (
    ("path", "sc:Text", "The file's path inside the study version."),
    ("url", "sc:URL", "Where the file downloads from (the pinned version's address)."),
    ("size", "sc:Integer", "The file's size in bytes."),
    ("sha256", "sc:Text", "The SHA-256 of the file's bytes, in hexadecimal."),
    ("content_type", "sc:Text", "The file's media type, from its name."),
    ("attributes", "sc:Text", "The file's File List attributes, as a JSON object."),
)


@dataclass(frozen=True)
class CroissantAddresses:
    """The absolute addresses a description names: the version's page, its listing, and the files' prefix."""

    page: str
    listing: str
    file_prefix: str


def listing_lines(*, version: StudyVersion, user, file_prefix: str) -> Iterator[str]:
    """Yield `files.csv` of the files of `version` that `user` may download (never removed ones), in blocks."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    rows = downloadable_files(version=version, user=user).values_list("path", "size", "sha256", "attributes")
    for number, (path, size, sha256, attributes) in enumerate(rows.iterator(chunk_size=ROWS_PER_FETCH), start=1):
        attributes_json = json.dumps(attributes, ensure_ascii=False, sort_keys=True)
        writer.writerow((path, file_prefix + quote(path), size, sha256, content_type_of(path), attributes_json))
        if number % ROWS_PER_FETCH == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def listing_sha256(*, version: StudyVersion, user, file_prefix: str) -> str:
    """The SHA-256 of `files.csv`, cached per version and address until the version's removed count changes."""
    removed = StudyFolder.objects.filter(version=version, path="").values_list("removed_count", flat=True).first()
    prefix_digest = hashlib.sha256(file_prefix.encode()).hexdigest()[:16]

    def compute() -> str:
        digest = hashlib.sha256()
        for block in listing_lines(version=version, user=user, file_prefix=file_prefix):
            digest.update(block.encode())
        return digest.hexdigest()

    return cache.get_or_set(f"archive:files-csv:{version.pk}:{removed}:{prefix_digest}", compute, LISTING_CACHE_SECONDS)


def _creator(author) -> dict:
    person = {"@type": "sc:Person", "name": author.name}
    if author.orcid:
        person["@id"] = person["url"] = orcid_url(author.orcid)
    return person


def _file_objects(*, version: StudyVersion, user, file_prefix: str) -> list[dict]:
    rows = downloadable_files(version=version, user=user).values_list("path", "size", "sha256")
    rows = list(rows[: FILE_OBJECTS_MAX + 1])
    if len(rows) > FILE_OBJECTS_MAX:
        return []
    return [
        {
            "@type": "cr:FileObject",
            "@id": f"file/{quote(path)}",
            "name": path,
            "contentUrl": file_prefix + quote(path),
            "contentSize": f"{size} B",
            "encodingFormat": content_type_of(path),
            "sha256": sha256,
        }
        for path, size, sha256 in rows
    ]


def _record_set() -> dict:
    fields = [
        {
            "@type": "cr:Field",
            "@id": f"files/{name}",
            "name": name,
            "description": description,
            "dataType": data_type,
            "source": {"fileObject": {"@id": CSV_ID}, "extract": {"column": name}},
        }
        for name, data_type, description in _FIELDS
    ]
    return {
        "@type": "cr:RecordSet",
        "@id": "files",
        "name": "files",
        "description": "Every downloadable file of this version, one record a file.",
        "key": {"@id": "files/path"},
        "field": fields,
    }


def croissant_document(
    *, study: Study, version: StudyVersion, user, addresses: CroissantAddresses, citation_item: dict
) -> dict:
    """Describe `version` of `study` as a Croissant 1.0 dataset whose `files` record set lists its files."""
    metadata = StudyMetadata.from_stored(version.metadata)
    listing = {
        "@type": "cr:FileObject",
        "@id": CSV_ID,
        "name": "files.csv",
        "description": "The listing of the version's files: " + ", ".join(CSV_COLUMNS) + ".",
        "contentUrl": addresses.listing,
        "encodingFormat": "text/csv",
        "sha256": listing_sha256(version=version, user=user, file_prefix=addresses.file_prefix),
    }
    document = {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": CONFORMS_TO,
        "name": study.accession,
        "alternateName": metadata.title or study.title,
        "description": metadata.description or metadata.title or study.title,
        "url": addresses.page,
        # The DOI the citation carries (the version's, once registered), else the accession.
        "identifier": doi_url(citation_item["DOI"]) if "DOI" in citation_item else study.accession,
        "version": f"{version.number}.0.0",
        "license": study.licence.url,
        "datePublished": study.release_date.isoformat(),
        "dateModified": version.created_at.date().isoformat(),
        "creator": [_creator(author) for author in metadata.authors],
        "keywords": list(metadata.keywords),
        "citeAs": citation_render(citation_item, BIBTEX),
        "distribution": [
            listing,
            *_file_objects(version=version, user=user, file_prefix=addresses.file_prefix),
        ],
        "recordSet": [_record_set()],
    }
    if metadata.publication_url:
        document["citation"] = metadata.publication_url
    return document
