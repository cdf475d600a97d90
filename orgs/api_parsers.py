"""The API's JSON parser: bodies nested deeper than settings.API_JSON_MAX_DEPTH are refused with a 400.

Python's json module recurses once per level, so a few thousand nested brackets raised RecursionError
(a 500) inside the parser. The depth is measured on the text before it is parsed: strings are cut out,
then the brackets are counted, stopping at the first level past the limit.
"""

from __future__ import annotations

import codecs
import json
import re
from typing import IO, Any

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError

TOO_DEEP = "请求内容的JSON嵌套层数过多（最多{limit}层）"
BAD_JSON = "请求内容不是有效的JSON：{error}"

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def too_deep(text: str, limit: int) -> bool:
    """Whether any array or object in the JSON text lies more than `limit` levels deep."""
    depth = 0
    for char in _NOT_BRACKET.sub("", _STRING.sub("", text)):
        if char in "[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def loads(text: str) -> Any:
    """json.loads under the depth limit: ParseError (a 400 with a Chinese message) for deep or bad JSON."""
    limit = settings.API_JSON_MAX_DEPTH
    if too_deep(text, limit):
        raise ParseError(TOO_DEEP.format(limit=limit))
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except ValueError as exc:
        raise ParseError(BAD_JSON.format(error=exc)) from exc


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"不支持的数值 {name}")


class JSONParser(parsers.JSONParser):
    """DRF's JSONParser with the depth limit (REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"])."""

    def parse(self, stream: IO[bytes], media_type: str | None = None, parser_context: Any = None) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.getreader(encoding)(stream).read() if stream is not None else ""
        except (LookupError, UnicodeDecodeError) as exc:
            raise ParseError(BAD_JSON.format(error=exc)) from exc
        return loads(text)
