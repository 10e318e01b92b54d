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


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["/api/docs/", "/api/redoc/"])
def test_api_docs_load_every_script_and_style_from_our_own_static_files(page, personas, client_for):
    """Offline, a page that pulls Swagger UI or ReDoc from a CDN is blank."""
    import re

    from django.conf import settings
    from django.contrib.staticfiles import finders

    client = client_for(personas.rep_a1)
    html = client.get(page).content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css|png))"', html)
    assets += re.findall(r'"(/static/[^"]+\.js)"', html)
    assert assets, html
    for url in assets:
        assert url.startswith(settings.STATIC_URL) or url.startswith("/" + settings.STATIC_URL), url
        assert finders.find(url.split(settings.STATIC_URL, 1)[1]), f"{url} is not a static file"
