"""The API's JSON parser (DRF's DEFAULT_PARSER_CLASSES): a hostile body is a 400 naming the body and the rule."""

from rest_framework.parsers import JSONParser

from core.errors import PolicyViolation
from core.json_input import json_parse

REQUEST_BODY_RULE = "REQUEST-BODY"


class BoundedJSONParser(JSONParser):
    """DRF's JSONParser crashes (500) on deeply nested JSON and answers `{detail}` without a rule otherwise."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return json_parse(stream.read())
        except ValueError as error:
            raise PolicyViolation(
                rule=REQUEST_BODY_RULE, field="body", message=f"The request body is not valid JSON: {error}"
            ) from None
