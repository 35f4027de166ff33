"""The OpenAPI description's error answers (a drf-spectacular postprocessing hook, SPECTACULAR_SETTINGS).

Every 4xx of the API but the tombstone has one body, `{field: [messages], rule}` (archive/api/errors.py);
this hook describes it once, as the component `Error`, and documents the refusals any operation may
give, so that a client (or schemathesis) finds every answer it can get in the description.
"""

from archive.api.errors import AUTH_RULE, INPUT_RULE, NOT_FOUND_RULE, PERMISSION_RULE

ERROR_REF = {"$ref": "#/components/schemas/Error"}
ERROR_SCHEMA = {
    "type": "object",
    "description": (
        "What was refused and by which rule: `{field: [messages], rule}`; one key per field in error "
        "(`non_field_errors` for the request as a whole, `body` for a body that is not JSON, `detail` for "
        "refusals of the request itself), and `rule`, the policy id (e.g. `P-RELEASE-DATE`) or the "
        "request rule (`AUTH`, `PERMISSION`, `NOT-FOUND`, `INPUT`, `REQUEST-BODY`, ...)."
    ),
    "properties": {
        "rule": {"type": "string", "description": "The rule that refuses the request."},
        "detail": {"type": "string", "description": "Why the request itself is refused."},
    },
    "required": ["rule"],
    # A field's messages, or for a nested field its own errors by key (or by position in a list).
    "additionalProperties": {"anyOf": [{"type": "array", "items": {}}, {"type": "object"}]},
}
# The answers any operation of their kind may give, whatever its view says.
ANY_OPERATION = {
    "401": f"No credentials, or refused ones (`rule: {AUTH_RULE}`).",
    "403": f"Credentials refused (`rule: {AUTH_RULE}`), or the caller may not do this (`rule: {PERMISSION_RULE}`).",
}
WITH_INPUT = {"400": f"A parameter or the body is refused: `{{field: [messages], rule}}` (e.g. `{INPUT_RULE}`)."}
WITH_PATH_OR_PAGES = {"404": f"Nothing at this address, or not visible to the caller (`rule: {NOT_FOUND_RULE}`)."}
WITH_BODY = {"415": "The body's Content-Type is not one the operation reads."}


def _expected_errors(operation: dict) -> dict[str, str]:
    parameters = operation.get("parameters", [])
    expected = dict(ANY_OPERATION)
    if parameters or "requestBody" in operation:
        expected |= WITH_INPUT
    if any(p["in"] == "path" or p["name"] == "page" for p in parameters):
        expected |= WITH_PATH_OR_PAGES
    if "requestBody" in operation:
        expected |= WITH_BODY
    return expected


def _is_error_body(schema: dict | None) -> bool:
    """The body views describe loosely (any object) or with the `Error` component: not the tombstone."""
    return schema in (None, ERROR_REF, {"type": "object", "additionalProperties": {}})


def document_error_answers(result: dict, generator, request, public):
    """Describe the error body once, give it to every 4xx, and add the refusals an operation may give."""
    result["components"]["schemas"]["Error"] = ERROR_SCHEMA
    for operations in result["paths"].values():
        for operation in operations.values():
            responses = operation["responses"]
            for status, description in _expected_errors(operation).items():
                responses.setdefault(status, {"description": description})
            for status, response in responses.items():
                if not status.startswith("4"):
                    continue
                content = response.setdefault("content", {}).setdefault("application/json", {})
                if _is_error_body(content.get("schema")):
                    content["schema"] = ERROR_REF
    return result
