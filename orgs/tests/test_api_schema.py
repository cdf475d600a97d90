import re

from django.contrib.staticfiles import finders
from django.core.management import call_command

from orgs.tests.api_client import api

PATHS = [
    "/api/v1/organizations/",
    "/api/v1/organizations/{id}/",
    "/api/v1/organizations/{id}/children/",
    "/api/v1/organizations/{id}/warnings/",
    "/api/v1/members/",
    "/api/v1/members/{id}/",
    "/api/v1/members/{id}/unmask/",
]


def test_the_schema_is_openapi_3_with_every_path(cast):
    response = api(cast.viewer).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    for path in PATHS:
        assert path in schema["paths"], path
    assert "post" in schema["paths"]["/api/v1/members/{id}/unmask/"]
    assert "patch" in schema["paths"]["/api/v1/members/{id}/"]


def test_the_schema_never_offers_full_personal_data_as_output(cast):
    schema = api(cast.viewer).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    member = schema["components"]["schemas"]["Member"]["properties"]
    assert member["id_number"]["writeOnly"] and member["phone"]["writeOnly"]
    assert member["id_number_masked"]["readOnly"]


def test_the_docs_page_loads_only_local_assets(cast):
    response = api(cast.viewer).get("/api/docs/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    tags = re.findall(r"<(?:script|link)\b[^>]*>", html, flags=re.IGNORECASE)
    assert tags, "the docs page should load Swagger UI"
    for tag in tags:
        assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", tag, re.IGNORECASE), tag
    assert "swagger-ui" in html
    local = re.findall(r"""(?:src|href)=["'](/static/[^"']+)""", " ".join(tags))
    assert local, "Swagger UI should come from our static files"
    for url in local:
        assert finders.find(url.removeprefix("/static/")), url


def test_the_schema_generates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert "/api/v1/members/{id}/unmask/" in (tmp_path / "schema.yaml").read_text()


def test_documented_shapes_match_what_these_operations_send(cast):
    """The four mismatches the first fuzzing runs found (scripts/fuzz_api.py), pinned in the schema."""
    schema = api(cast.viewer).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    def ok(path):
        return schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]

    assert ok("/api/v1/orglife/scores/") == {
        "$ref": "#/components/schemas/ScoreList"
    }  # one object, not a list
    assert ok("/api/v1/observers/assessments/proposals/")["type"] == "array"  # every observer, unpaginated
    assert ok("/api/v1/points/ranking/below/") == {"$ref": "#/components/schemas/PaginatedPointsTotalList"}
    rating = schema["components"]["schemas"]["PatrolCheck"]["properties"]["rating"]
    assert {"$ref": "#/components/schemas/BlankEnum"} in rating["oneOf"]  # an unrated check sends ""
