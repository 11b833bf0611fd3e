"""The OpenAPI document describes both ways of leaving: the export's zip and the deletion's
body and errors."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(anon_client):
    return anon_client.get("/api/v1/schema?format=json").json()


def envelope(response) -> dict:
    return response["content"]["application/json"]["schema"]


def test_the_export_is_documented_as_a_zip(schema):
    export = schema["paths"]["/api/v1/export"]["get"]

    assert export["responses"]["200"]["content"] == {
        "application/zip": {"schema": {"type": "string", "format": "binary"}}
    }
    assert envelope(export["responses"]["429"]) == {"$ref": "#/components/schemas/ErrorEnvelope"}
    assert export["security"] == [{"jwtAuth": []}]


def test_the_deletion_documents_its_body_and_errors(schema):
    delete = schema["paths"]["/api/v1/auth/me"]["delete"]

    body = delete["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    component = schema["components"]["schemas"][body.rsplit("/", 1)[1]]
    assert component["required"] == ["password"]
    assert "204" in delete["responses"]
    for status in ("400", "429"):
        assert envelope(delete["responses"][status]) == {
            "$ref": "#/components/schemas/ErrorEnvelope"
        }
