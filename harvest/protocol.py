"""OAI-PMH 2.0 requests: which arguments each verb takes, their checks (each broken rule is an OAI error code),
set names, datestamps and resumption tokens (docs/design.md §8).

Resumption tokens are stateless: a signed record of the request and the last study sent (keyset), so they never
expire and any web process can resume any harvest.
"""

import datetime
import functools
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core import signing

from archive.selectors.visibility import ACCESSION_SHAPE
from core.links import portal_url


@dataclass(frozen=True)
class MetadataFormat:
    prefix: str
    schema: str
    namespace: str


METADATA_FORMATS = {
    "oai_dc": MetadataFormat(
        "oai_dc", "http://www.openarchives.org/OAI/2.0/oai_dc.xsd", "http://www.openarchives.org/OAI/2.0/oai_dc/"
    ),
    # DataCite's kernel-4 <resource> itself, as Zenodo serves it.
    "oai_datacite": MetadataFormat(
        "oai_datacite", "http://schema.datacite.org/meta/kernel-4.5/metadata.xsd", "http://datacite.org/schema/kernel-4"
    ),
}
LIST_VERBS = ("ListIdentifiers", "ListRecords")
# Required and optional arguments of each verb; a resumptionToken stands alone (the exclusive argument).
VERB_ARGUMENTS = {
    "Identify": ((), ()),
    "ListMetadataFormats": ((), ("identifier",)),
    "ListSets": ((), ()),
    "GetRecord": (("identifier", "metadataPrefix"), ()),
    "ListIdentifiers": (("metadataPrefix",), ("from", "until", "set")),
    "ListRecords": (("metadataPrefix",), ("from", "until", "set")),
}
# ListSets answers in one list and issues no tokens, so any token it is given is a bad one.
RESUMABLE_VERBS = (*LIST_VERBS, "ListSets")
TOKEN_SALT = "harvest.resumption"
ARGUMENT_MAX_CHARS = 2000
MISSING_VERB = "The verb is missing (a POST sends its arguments as application/x-www-form-urlencoded)."
# Anything an XML attribute may carry back in the answer's <request> element; the rest is a bad argument.
PRINTABLE = re.compile(r"[^\x00-\x1f\x7f\ud800-\udfff\ufffe\uffff]*")
DAY = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
SECOND = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})Z")
DATESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
# Any URI (RFC 3986's scheme, then anything printable): an identifier of another shape is a bad argument.
URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+")

SET_KINDS = ("organism", "imaging_method", "licence")
# setSpec's characters (OAI-PMH 2.0 §4.6) less "." and "_", which this encoding keeps for itself.
# "~" escapes rather than ".", so that licence ids and names with dots (CC0-1.0) read as themselves.
SET_PLAIN = re.compile(r"[A-Za-z0-9\-.!*'()]")
SET_SPEC = re.compile(r"(?:[A-Za-z0-9\-.!*'()_]|~[0-9A-F]{2})*")


class OaiError(Exception):
    """An OAI-PMH error condition: `code` is one of the protocol's error codes."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def _bad(message: str) -> OaiError:
    return OaiError("badArgument", message)


@dataclass(frozen=True)
class SetFilter:
    """A set: every record with a value of `kind` (value None), or with exactly `value`."""

    kind: str
    value: str | None = None


@dataclass(frozen=True)
class OaiRequest:
    verb: str
    resumed: bool = False  # whether it came with a resumptionToken
    identifier: str = ""
    metadata_prefix: str = ""
    set_spec: str = ""
    from_date: str = ""
    until_date: str = ""
    after_pk: int = 0  # keyset: the last study of the previous page
    cursor: int = 0  # how many records the previous pages held

    @property
    def set_filter(self) -> SetFilter | None:
        return set_spec_decode(self.set_spec) if self.set_spec else None

    @property
    def changed_since(self) -> datetime.datetime | None:
        return datestamp_parse(self.from_date)[0] if self.from_date else None

    @property
    def changed_before(self) -> datetime.datetime | None:
        """The exclusive upper bound `until` means: it includes its whole second, or its whole day."""
        if not self.until_date:
            return None
        moment, step = datestamp_parse(self.until_date)
        try:
            return moment + step
        except OverflowError:  # until the last day there is: no bound at all
            return None

    def next_token(self, *, last_pk: int, count: int) -> str:
        """The token for the page after this one, which sent `count` records ending with study `last_pk`."""
        state = {
            "verb": self.verb,
            "metadataPrefix": self.metadata_prefix,
            "set": self.set_spec,
            "from": self.from_date,
            "until": self.until_date,
            "after": last_pk,
            "cursor": self.cursor + count,
        }
        return signing.dumps(state, salt=TOKEN_SALT, compress=True)


def repository_host() -> str:
    return urlsplit(portal_url()).hostname or "localhost"


def record_identifier(accession: str) -> str:
    return f"oai:{repository_host()}:{accession}"


def identifier_accession(identifier: str) -> str:
    """The accession an identifier names; OaiError(idDoesNotExist) when it cannot name one of ours."""
    if not URI.fullmatch(identifier):
        raise _bad("The identifier is not a URI.")
    prefix = f"oai:{repository_host()}:"
    accession = identifier.removeprefix(prefix) if identifier.startswith(prefix) else ""
    if not ACCESSION_SHAPE.fullmatch(accession):
        raise OaiError("idDoesNotExist", "No record has this identifier.")
    return accession


def datestamp(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime(DATESTAMP_FORMAT)


def datestamp_parse(value: str) -> tuple[datetime.datetime, datetime.timedelta]:
    """The moment a UTC datestamp names and its granularity (one day or one second); OaiError if malformed."""
    if match := SECOND.fullmatch(value):
        step = datetime.timedelta(seconds=1)
    elif match := DAY.fullmatch(value):
        step = datetime.timedelta(days=1)
    else:
        raise _bad(f"“{value[:40]}” is not a UTC datestamp (YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ).")
    try:
        return datetime.datetime(*map(int, match.groups()), tzinfo=datetime.UTC), step
    except ValueError:
        raise _bad(f"“{value}” is not a date that exists.") from None


# Every record of a page names its sets, and the values repeat: encode each once per process.
@functools.lru_cache(maxsize=4096)
def set_spec_encode(kind: str, value: str | None = None) -> str:
    """The setSpec of a set: space as "_", "_", "~" and every character setSpec lacks as "~XX" per UTF-8 byte."""
    if value is None:
        return kind
    encoded = "".join(
        "_" if char == " " else char if SET_PLAIN.fullmatch(char) else "".join(f"~{b:02X}" for b in char.encode())
        for char in value
    )
    return f"{kind}:{encoded}"


def set_spec_decode(spec: str) -> SetFilter:
    """The set a setSpec names; OaiError(badArgument) unless `set_spec_encode` could have written it."""
    kind, colon, encoded = spec.partition(":")
    if kind not in SET_KINDS or (colon and not encoded) or not SET_SPEC.fullmatch(encoded):
        raise _bad(f"There is no set “{spec[:80]}”: sets are organism:…, imaging_method:… and licence:….")
    if not colon:
        return SetFilter(kind)
    parts = re.split(r"((?:~[0-9A-F]{2})+)", encoded)
    try:
        value = "".join(
            bytes.fromhex(part.replace("~", "")).decode() if part.startswith("~") else part.replace("_", " ")
            for part in parts
        )
    except UnicodeDecodeError:
        raise _bad(f"The set “{spec[:80]}” does not encode UTF-8 text.") from None
    if set_spec_encode(kind, value) != spec:
        raise _bad(f"The set “{spec[:80]}” is not written as this repository writes it.")
    return SetFilter(kind, value)


def _single_values(query) -> dict[str, str]:
    arguments = {}
    for name, values in query.lists():
        if len(values) > 1:
            raise OaiError("badVerb" if name == "verb" else "badArgument", f"The argument {name[:40]} is repeated.")
        value = values[0]
        if len(name) > 40 or len(value) > ARGUMENT_MAX_CHARS or not PRINTABLE.fullmatch(name + value):
            code = "badVerb" if name == "verb" else "badArgument"
            raise OaiError(code, "An argument is too long or holds characters no XML can carry.")
        arguments[name] = value
    return arguments


def request_parse(query) -> OaiRequest:
    """Check a request's arguments (a QueryDict) against its verb; raise OaiError naming the first broken rule."""
    arguments = _single_values(query)
    verb = arguments.pop("verb", None)
    if verb not in VERB_ARGUMENTS:
        raise OaiError("badVerb", MISSING_VERB if verb is None else "Unknown verb.")
    required, optional = VERB_ARGUMENTS[verb]
    if "resumptionToken" in arguments:
        if verb not in RESUMABLE_VERBS:
            raise _bad(f"{verb} takes no resumptionToken.")
        if len(arguments) > 1:
            raise _bad("A resumptionToken is the only argument it may come with.")
        return _resumed(verb, arguments["resumptionToken"])
    if unknown := sorted(set(arguments) - set(required) - set(optional)):
        raise _bad(f"{verb} takes no argument {unknown[0][:40]}.")
    if missing := [name for name in required if name not in arguments]:
        raise _bad(f"{verb} needs the argument {missing[0]}.")
    request = OaiRequest(
        verb=verb,
        identifier=arguments.get("identifier", ""),
        metadata_prefix=arguments.get("metadataPrefix", ""),
        set_spec=arguments.get("set", ""),
        from_date=arguments.get("from", ""),
        until_date=arguments.get("until", ""),
    )
    _check_values(request)
    return request


def _check_values(request: OaiRequest) -> None:
    if request.set_spec:
        set_spec_decode(request.set_spec)
    dates = [datestamp_parse(value) for value in (request.from_date, request.until_date) if value]
    if len(dates) == 2:
        (since, since_step), (until, until_step) = dates
        if since_step != until_step:
            raise _bad("from and until must have the same granularity.")
        if since > until:
            raise _bad("from is later than until.")
    if request.identifier:
        identifier_accession(request.identifier)
    if request.metadata_prefix and request.metadata_prefix not in METADATA_FORMATS:
        raise OaiError("cannotDisseminateFormat", f"Records come as {' and '.join(METADATA_FORMATS)} only.")


def _resumed(verb: str, token: str) -> OaiRequest:
    try:
        state = signing.loads(token, salt=TOKEN_SALT)
    except signing.BadSignature:
        raise OaiError("badResumptionToken", "This resumption token was not issued by this repository.") from None
    if not isinstance(state, dict) or state.get("verb") != verb:
        raise OaiError("badResumptionToken", f"This resumption token does not continue a {verb} list.")
    return OaiRequest(
        verb=verb,
        resumed=True,
        metadata_prefix=state["metadataPrefix"],
        set_spec=state["set"],
        from_date=state["from"],
        until_date=state["until"],
        after_pk=state["after"],
        cursor=state["cursor"],
    )
