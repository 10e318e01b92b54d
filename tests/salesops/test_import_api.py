import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from salesops.importer.queue import crm_import_run_queued
from salesops.models import Deal, ImportRun, ImportStatus, ImportUpload, Person
from salesops.services.people import person_sync_groups
from tests.salesops.test_import_helpers import ALL, OPPORTUNITIES, run_import, write_files

pytestmark = pytest.mark.django_db

URL = "/api/v1/imports/"


def uploads(overrides=None, *, bom=False):
    contents = {**ALL, **(overrides or {})}
    prefix = b"\xef\xbb\xbf" if bom else b""
    return {
        kind: SimpleUploadedFile(f"{kind}.csv", prefix + text.encode(), content_type="text/csv")
        for kind, text in contents.items()
    }


def _worker_runs(response):
    """What the worker does with the queued import (the test's transaction is never committed,
    so the queued task is not sent): run it here, then read the run as a client would."""
    assert response.status_code == 202, response.content
    run_id = response.json()["id"]
    assert response["Location"] == f"{URL}{run_id}/"
    crm_import_run_queued(run_id=run_id)
    return ImportRun.objects.get(pk=run_id).report


def test_sales_ops_posts_an_import_and_gets_the_report(personas, api_client_for):
    client = api_client_for(personas.sales_ops)
    response = client.post(URL, {**uploads(bom=True), "dry_run": "false"}, format="multipart")

    queued = response.json()
    assert queued["status"] == ImportStatus.RUNNING and not Deal.objects.exists()
    assert ImportUpload.objects.filter(run_id=queued["id"]).exists()
    body = _worker_runs(response)
    assert client.get(f"{URL}{queued['id']}/").json()["report"] == body
    assert not ImportUpload.objects.filter(run_id=queued["id"]).exists()
    assert body["status"] == ImportStatus.SUCCESS
    assert body["files"]["opportunities"]["counts"]["deal"] == {
        "created": 4,
        "updated": 0,
        "unchanged": 0,
    }
    assert Deal.objects.count() == 4
    run = ImportRun.objects.get(pk=body["run_id"])
    assert (run.origin, run.user) == ("api", personas.sales_ops)
    assert run.report == body


def test_api_reports_bad_rows_with_line_and_column(personas, api_client_for):
    bad = OPPORTUNITIES + "B1,Anna Snelling,GTX Ultra,,Engaging,2017-01-01,,\n"
    response = api_client_for(personas.admin).post(
        URL, {**uploads({"opportunities": bad}), "dry_run": "true"}, format="multipart"
    )

    body = _worker_runs(response)
    assert body["status"] == ImportStatus.DRY_RUN
    [issue] = [i for i in body["files"]["opportunities"]["issues"] if i["level"] == "error"]
    assert (issue["file"], issue["line"], issue["column"]) == ("opportunities.csv", 6, "product")
    assert not Deal.objects.exists()


@pytest.mark.parametrize("persona", ["rep_a1", "manager_a", "outsider"])
def test_import_api_is_not_found_for_everyone_but_sales_ops(personas, api_client_for, persona):
    client = api_client_for(getattr(personas, persona))
    people_before = Person.objects.count()

    assert client.post(URL, uploads(), format="multipart").status_code == 404
    assert client.get(URL).status_code == 404
    assert Person.objects.count() == people_before
    assert not ImportRun.objects.exists()


def test_anonymous_cannot_import(api_client_for):
    assert api_client_for(None).post(URL, uploads(), format="multipart").status_code in (401, 403)


def test_import_api_without_files_is_a_400(personas, api_client_for):
    response = api_client_for(personas.sales_ops).post(URL, {"dry_run": "true"}, format="multipart")
    assert response.status_code == 400
    assert "files" in response.json()


def test_import_api_bad_stage_map_is_a_400(personas, api_client_for):
    response = api_client_for(personas.sales_ops).post(
        URL, {**uploads(), "stage_map": '{"Won": "party"}'}, format="multipart"
    )
    assert response.status_code == 400
    assert "stage_map" in response.json()
    assert not ImportRun.objects.exists()


def test_sales_ops_lists_and_reads_import_runs(personas, api_client_for, tmp_path):
    first = run_import(write_files(tmp_path), dry_run=True)
    second = run_import(write_files(tmp_path))
    client = api_client_for(personas.sales_ops)

    listing = client.get(URL).json()
    assert [run["id"] for run in listing["results"]] == [second.run_id, first.run_id]
    assert client.get(URL, {"status": "dry_run"}).json()["count"] == 1

    detail = client.get(f"{URL}{second.run_id}/")
    assert detail.status_code == 200
    assert detail.json()["report"]["summary"][0]["entity"] == "person"


def test_rep_cannot_read_an_import_run(personas, api_client_for, tmp_path):
    run = run_import(write_files(tmp_path), dry_run=True)
    assert api_client_for(personas.rep_a1).get(f"{URL}{run.run_id}/").status_code == 404


def test_admin_upload_page_imports_and_shows_the_report(personas, client_for):
    client = client_for(personas.admin)
    url = reverse("admin:salesops_importrun_upload")
    assert client.get(url).status_code == 200

    response = client.post(url, {**uploads(), "stage_map": "", "dry_run": ""})

    run = ImportRun.objects.get()
    status_url = reverse("admin:salesops_importrun_status", args=[run.pk])
    assert response.status_code == 302 and response.url == status_url
    running = client.get(status_url).content.decode()
    assert 'data-testid="progress"' in running and "Summary" not in running
    assert not Deal.objects.exists()  # the request stored the files; the worker imports them
    crm_import_run_queued(run_id=run.pk)
    page = client.get(status_url).content.decode()
    assert "SUCCESS" in page and "Summary" in page
    assert Deal.objects.count() == 4
    run.refresh_from_db()
    assert run.progress_done == run.progress_total > 0
    assert (run.origin, run.user) == ("admin", personas.admin)
    detail = client.get(reverse("admin:salesops_importrun_change", args=[run.pk]))
    assert detail.status_code == 200
    assert "Summary" in detail.content.decode()
    changelist = client.get(reverse("admin:salesops_importrun_changelist"))
    assert "Import CRM export" in changelist.content.decode()


def test_admin_upload_page_shows_form_errors(personas, client_for):
    client = client_for(personas.admin)
    response = client.post(reverse("admin:salesops_importrun_upload"), {"stage_map": "{"})
    page = response.content.decode()
    assert "Choose at least one file" in page
    assert "Not valid JSON" in page
    assert not ImportRun.objects.exists()


def test_sales_ops_may_use_the_upload_page(personas, client_for):
    person_sync_groups(person=personas.sales_ops.person)  # sales ops are staff: they run the admin
    response = client_for(personas.sales_ops).get(reverse("admin:salesops_importrun_upload"))
    assert response.status_code == 200


def test_upload_page_is_closed_to_reps_and_managers(personas, client_for):
    for persona in ("rep_a1", "manager_a"):
        response = client_for(getattr(personas, persona)).post(
            reverse("admin:salesops_importrun_upload"), uploads()
        )
        assert response.status_code in (302, 404)
    assert not Deal.objects.exists() and not ImportRun.objects.exists()


@pytest.mark.celery
def test_an_uploaded_import_runs_on_a_real_worker_with_progress(
    celery_worker, personas, api_client_for
):
    import time

    client = api_client_for(personas.sales_ops)
    response = client.post(URL, {**uploads(), "dry_run": "false"}, format="multipart")
    assert response.status_code == 202
    run_id = response.json()["id"]
    deadline = time.monotonic() + 30
    body = client.get(f"{URL}{run_id}/").json()
    while body["status"] == ImportStatus.RUNNING and time.monotonic() < deadline:
        time.sleep(0.2)
        body = client.get(f"{URL}{run_id}/").json()
    assert body["status"] == ImportStatus.SUCCESS
    assert body["report"]["files"]["opportunities"]["counts"]["deal"]["created"] == 4
    assert body["progress_done"] == body["progress_total"] > 0
    assert Deal.objects.count() == 4 and not ImportUpload.objects.exists()
