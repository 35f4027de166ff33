"""Read JSON that comes from outside (request bodies, uploaded manifests) without letting it crash the reader."""

import json

# Deeper than any document the portal takes (a submission nests 4 levels); deep enough for tomorrow's.
JSON_MAX_DEPTH = 32


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON number.")


def _deeper_than(value, limit: int) -> bool:
    """True if `value` nests lists and objects more than `limit` levels deep (walked without recursion)."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            pending.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return False


def json_parse(text: str | bytes):
    """Parse JSON text; raise ValueError with a readable message for anything that is not plain, shallow JSON.

    Refused: malformed text or bytes that are not UTF-8, NaN and Infinity, and nesting
    deeper than JSON_MAX_DEPTH. Python's parser recurses once per level, so a
    document of 100,000 opening brackets raises RecursionError: it is refused too.
    """
    too_deep = f"JSON may nest lists and objects at most {JSON_MAX_DEPTH} levels deep."
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise ValueError(too_deep) from None
    if _deeper_than(value, JSON_MAX_DEPTH):
        raise ValueError(too_deep)
    return value
