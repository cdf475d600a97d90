"""OpenAPI post-processing: the error answers every operation can give are part of the contract.

DRF answers 400 (validation), 401 (no credentials), 403 (read-only or no permission), 404 (outside the
caller's scope or unknown), and the rate limiter 429; drf-spectacular documents only the success codes.
Documenting them lets schemathesis check status codes and bodies (scripts/fuzz_api.py).
"""

from __future__ import annotations

from typing import Any

DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "description": "错误说明",
}
ERRORS = {
    "400": ("请求参数有误（字段 → 错误列表，或 detail）", {"type": "object"}),
    "401": ("未登录或令牌无效", DETAIL),
    "403": ("无权进行此操作", DETAIL),
    "404": ("不存在或不在授权范围内", DETAIL),
    "429": ("操作过于频繁", DETAIL),
}


def add_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"} or not isinstance(operation, dict):
                continue
            responses = operation.setdefault("responses", {})
            for code, (description, schema) in ERRORS.items():
                responses.setdefault(
                    code, {"description": description, "content": {"application/json": {"schema": schema}}}
                )
    return result
