"""RO-Crate 1.2 metadata (`ro-crate-metadata.json`) of a study version, streamed (issue 14, docs/design.md §8).

The `rocrate` package builds the crate's head: the metadata descriptor, the root dataset, its authors, licence and
publication. The files follow as File entities written one at a time from a chunked read, then the root's `hasPart`
from a second one, so a version of millions of files never sits in memory as a graph. Each file's @id is its path
relative to the version's root, which is also its path under the top folder of `download.zip`: the ZIP carries the
same document there (archive.selectors.downloads), so the unzipped folder is an RO-Crate; a folder's ZIP carries the
crate of that folder's files, under the same ids. `contentUrl` is the pinned version's file address, which serves
those bytes forever.
"""

import functools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote

from rocrate.model.contextentity import ContextEntity
from rocrate.model.person import Person
from rocrate.rocrate import ROCrate

from archive.downloads import content_type_of
from archive.metadata import StudyMetadata
from archive.models import FileStatus, Study, StudyVersion
from archive.selectors.dois import doi_url
from archive.selectors.manifest import downloadable_files
from archive.templatetags.archive_tags import orcid_url

CRATE_VERSION = "1.2"
ROWS_PER_FETCH = 2000


@dataclass(frozen=True)
class CrateAddresses:
    """The absolute addresses a crate names: the version's page, the prefix a file's quoted path completes, and the
    version's DOI once registered (the root's identifier, as RO-Crate asks for a persistent one; else the accession)."""

    page: str
    file_prefix: str
    doi: str = ""


def _head(*, study: Study, version: StudyVersion, addresses: CrateAddresses) -> dict:
    """The crate without its files: descriptor, root dataset and contextual entities, as `rocrate` writes them."""
    metadata = StudyMetadata.from_stored(version.metadata)
    crate = ROCrate(version=CRATE_VERSION)
    root = crate.root_dataset
    root["name"] = metadata.title or study.title
    root["description"] = metadata.description or metadata.title or study.title
    root["datePublished"] = study.release_date.isoformat()
    root["dateModified"] = version.created_at.date().isoformat()
    root["identifier"] = doi_url(addresses.doi) if addresses.doi else study.accession
    root["version"] = str(version.number)
    root["url"] = addresses.page
    root["keywords"] = list(metadata.keywords)
    authors = []
    for number, author in enumerate(metadata.authors, start=1):
        person_id = orcid_url(author.orcid) if author.orcid else f"#author-{number}"
        properties = {"name": author.name}
        if author.affiliation:
            properties["affiliation"] = author.affiliation
        authors.append(crate.add(Person(crate, person_id, properties=properties)))
    root["author"] = authors
    licence = study.licence
    crate.license = crate.add(
        ContextEntity(
            crate,
            licence.url,
            properties={"@type": "CreativeWork", "name": licence.name, "identifier": licence.spdx_id},
        )
    )
    if metadata.publication_url:
        root["citation"] = crate.add(
            ContextEntity(
                crate,
                metadata.publication_url,
                properties={"@type": "ScholarlyArticle", "identifier": metadata.publication_url},
            )
        )
    return crate.metadata.generate()


# What quote(path) leaves as it is: letters, digits, "_.-~" and "/". A regular expression escapes the rest
# several times faster than quote's character-by-character loop, which was half a file's cost.
_UNSAFE_IN_PATH = re.compile(rb"[^A-Za-z0-9_.~/-]")


def quoted_path(path: str) -> str:
    """The same as urllib.parse.quote(path): a file's @id, and its URL's last part."""
    return _UNSAFE_IN_PATH.sub(lambda unsafe: b"%%%02X" % unsafe[0][0], path.encode()).decode("ascii")


@functools.cache
def _quoted_name(name: str) -> str:
    return quote(name, safe="")  # a study has few attribute names, written once a file each


def file_entities(path: str, size: int, sha256: str, status: str, attributes: dict, *, file_prefix: str) -> list:
    """A file's File entity and the PropertyValue entities of its File List attributes."""
    file_id = quoted_path(path)
    entity = {
        "@id": file_id,
        "@type": "File",
        "name": path,
        "contentSize": str(size),
        "encodingFormat": content_type_of(path),
        "sha256": sha256,
        "contentUrl": file_prefix + file_id,
    }
    if status == FileStatus.OBSOLETE:  # still served (P-OBSOLETE), and said so
        entity["creativeWorkStatus"] = "Obsolete"
    values = [
        {"@id": f"#{file_id}:{_quoted_name(name)}", "@type": "PropertyValue", "name": name, "value": value}
        for name, value in sorted(attributes.items())
    ]
    if values:
        entity["additionalProperty"] = [{"@id": value["@id"]} for value in values]
    return [entity, *values]


CRATE_NAME = "ro-crate-metadata.json"
# The columns of a file row that its entities are written from, in file_entities' order.
CRATE_COLUMNS = ("path", "size", "sha256", "status", "attributes")
_PART_SEPARATOR = ",\n"
_CLOSING = "\n]}\n]}\n"
# One encoder for every entity: json.dumps with options builds a new one a call, a third of a file's cost.
_ENCODE = json.JSONEncoder(ensure_ascii=False).encode


class VersionCrate:
    """`ro-crate-metadata.json` of the files of a version (under `folder`) that `user` may download.

    Its bytes are known before it is written (`size`) from the same file rows another reader goes through,
    so download.zip sizes its entry without reading the files twice before the first byte.
    """

    def __init__(self, *, study: Study, version: StudyVersion, user, addresses: CrateAddresses, folder: str = ""):
        head = _head(study=study, version=version, addresses=addresses)
        root, *others = head["@graph"]
        self._opening = '{"@context": ' + json.dumps(head["@context"]) + ', "@graph": [\n'
        self._opening += "".join(_ENCODE(entity) + ",\n" for entity in others)
        # The root dataset comes last: its hasPart names every file, read again rather than kept.
        self._root_opening = _ENCODE(root)[:-1] + ', "hasPart": [\n'
        self._files = downloadable_files(version=version, user=user, folder=folder)
        self._file_prefix = addresses.file_prefix

    def _file_text(self, row: tuple) -> str:
        entities = file_entities(*row, file_prefix=self._file_prefix)
        return "".join(_ENCODE(entity) + ",\n" for entity in entities)

    @staticmethod
    def _part_text(path: str) -> str:
        # What json.dumps({"@id": quote(path)}) writes: a quoted path holds no character JSON escapes.
        return '{"@id": "' + quoted_path(path) + '"}'

    def row_bytes(self, row: tuple) -> int:
        """The bytes one file row (CRATE_COLUMNS) adds: its entities, its hasPart entry and a separator."""
        return len(self._file_text(row).encode()) + len(self._part_text(row[0])) + len(_PART_SEPARATOR)  # part: ASCII

    def size(self, *, files: int, rows_bytes: int) -> int:
        """The crate's bytes, given its number of files and the sum of their `row_bytes`."""
        frame = len(self._opening.encode()) + len(self._root_opening.encode()) + len(_CLOSING)
        return frame + rows_bytes - (len(_PART_SEPARATOR) if files else 0)

    def chunks(self) -> Iterator[str]:
        yield self._opening
        rows = self._files.values_list(*CRATE_COLUMNS).iterator(chunk_size=ROWS_PER_FETCH)
        for block in _row_blocks(rows):
            yield "".join(self._file_text(row) for row in block)
        yield self._root_opening
        paths = self._files.values_list("path", flat=True).iterator(chunk_size=ROWS_PER_FETCH)
        for number, block in enumerate(_row_blocks(paths)):
            yield ("" if number == 0 else _PART_SEPARATOR) + _PART_SEPARATOR.join(map(self._part_text, block))
        yield _CLOSING


def crate_chunks(
    *, study: Study, version: StudyVersion, user, addresses: CrateAddresses, folder: str = ""
) -> Iterator[str]:
    """Yield `ro-crate-metadata.json` of the files of `version` (under `folder`) that `user` may download (never
    removed ones)."""
    return VersionCrate(study=study, version=version, user=user, addresses=addresses, folder=folder).chunks()


def _row_blocks(rows: Iterator) -> Iterator[list]:
    """Group rows ROWS_PER_FETCH at a time: one write per group, not per file."""
    block = []
    for row in rows:
        block.append(row)
        if len(block) == ROWS_PER_FETCH:
            yield block
            block = []
    if block:
        yield block
