"""The whole API's OpenAPI document generates, validates and has no naming warnings."""

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_openapi_schema_validates_without_warnings(tmp_path):
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    for path in (
        "/api/v1/deals/",
        "/api/v1/meetings/",
        "/api/v1/territory-models/",
        "/api/v1/compensation/simulate/",
        "/api/v1/imports/",
    ):
        assert f"{path}:" in text, path


@pytest.mark.django_db
def test_swagger_ui_and_schema_are_served(personas, client_for):
    client = client_for(personas.rep_a1)
    assert client.get("/api/docs/").status_code == 200
    assert client.get("/api/schema/").status_code == 200
