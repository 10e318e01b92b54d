import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from salesops import hooks
from salesops.models import (
    Account,
    CostSource,
    Deal,
    DealSplit,
    ImportRun,
    ImportStatus,
    Person,
    Product,
    Role,
    SalesCost,
    Team,
)
from tests.factories import PersonFactory, ProductFactory
from tests.salesops.test_import_helpers import (
    OPPORTUNITIES,
    TEAM_COSTS,
    errors,
    run_import,
    warnings,
    write_files,
)

pytestmark = pytest.mark.django_db

MODELS = (Person, Team, Product, Account, Deal, DealSplit, SalesCost)


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_golden_path_imports_every_file(tmp_path):
    report = run_import(write_files(tmp_path))

    assert report.status == ImportStatus.SUCCESS
    assert errors(report) == []
    dustin = Person.objects.get(name="Dustin Brinkmann")
    team = Team.objects.get(name="Team Dustin Brinkmann")
    assert (dustin.role, dustin.team, team.manager, team.region) == (
        Role.SALES_MANAGER,
        team,
        dustin,
        "Central",
    )
    anna = Person.objects.get(name="Anna Snelling")
    assert (anna.role, anna.team, anna.manager) == (Role.ACCOUNT_EXECUTIVE, team, dustin)
    assert Team.objects.get(name="Team Rocco Neubert").region == "East"

    acme = Account.objects.get(name="Acme Corporation")
    assert acme.annual_revenue == Decimal("1100040000.00")
    assert (acme.country, acme.sector, acme.employees, acme.year_established) == (
        "US",
        "technology",
        2822,
        1996,
    )
    assert Account.objects.get(name="Betatech").parent == acme
    assert Account.objects.get(name="Betatech").country == "KE"
    assert Product.objects.get(name="GTX Pro").list_price == Decimal("4821.00")

    won = Deal.objects.get(external_id="OPP1")
    assert (won.stage, won.owner, won.account, won.close_value, won.close_date) == (
        "won",
        anna,
        acme,
        Decimal("4514.00"),
        dt.date(2017, 3, 1),
    )
    assert Deal.objects.get(external_id="OPP3").stage == "needs_assessment"
    assert Deal.objects.get(external_id="OPP3").account is None
    assert Deal.objects.get(external_id="OPP4").stage == "prospecting"
    assert list(won.splits.values_list("person__name", "percent")) == [
        ("Anna Snelling", Decimal("100.00"))
    ]
    assert DealSplit.objects.count() == 4

    costs = SalesCost.objects.order_by("amount")
    assert [(c.person.name, c.category, c.amount, c.source) for c in costs] == [
        ("Moses Frase", "travel", Decimal("120.50"), CostSource.IMPORT),
        ("Anna Snelling", "salary", Decimal("5000.00"), CostSource.IMPORT),
    ]
    counts = {kind: file.as_dict()["counts"] for kind, file in report.files.items()}
    assert counts["teams"]["person"] == {"created": 5, "updated": 0, "unchanged": 0}
    assert counts["teams"]["team"] == {"created": 2, "updated": 0, "unchanged": 0}
    assert counts["opportunities"]["deal"] == {"created": 4, "updated": 0, "unchanged": 0}
    assert counts["costs"]["cost"] == {"created": 2, "updated": 0, "unchanged": 0}

    run = ImportRun.objects.get(pk=report.run_id)
    assert run.status == ImportStatus.SUCCESS
    assert run.report["files"]["opportunities"]["rows"] == 4
    assert run.files["teams"]["lines"] == 4


def test_reimporting_the_same_files_changes_nothing(tmp_path):
    files = write_files(tmp_path)
    run_import(files)
    before = row_counts()
    stamps = dict(Deal.objects.values_list("external_id", "updated_at"))

    second = run_import(files)

    assert row_counts() == before
    assert dict(Deal.objects.values_list("external_id", "updated_at")) == stamps
    for file in second.files.values():
        for entity, counts in file.as_dict()["counts"].items():
            assert counts["created"] == 0 and counts["updated"] == 0, (file.kind, entity)
            assert counts["unchanged"] > 0
    assert second.status == ImportStatus.SUCCESS


def test_changed_rows_are_updated_in_place(tmp_path):
    run_import(write_files(tmp_path))
    changed = OPPORTUNITIES.replace(
        "OPP3,Moses Frase,GTX Pro,,Engaging,2017-01-05,,",
        "OPP3,Anna Snelling,GTX Pro,Cancity,Lost,2017-01-05,2017-02-01,0",
    )
    report = run_import(write_files(tmp_path, {"opportunities": changed}, kinds=("opportunities",)))

    deal = Deal.objects.get(external_id="OPP3")
    assert (deal.stage, deal.lost_at_stage, deal.owner.name, deal.account.name) == (
        "lost",
        "needs_assessment",
        "Anna Snelling",
        "Cancity",
    )
    # The owner's 100 % split follows the new owner.
    assert list(deal.splits.values_list("person__name", "percent")) == [
        ("Anna Snelling", Decimal("100.00"))
    ]
    assert report.files["opportunities"].as_dict()["counts"]["deal"] == {
        "created": 0,
        "updated": 1,
        "unchanged": 3,
    }


OPP_HEADER = (
    "opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value\n"
)
GOOD = "OK1,Anna Snelling,GTX Pro,Acme Corporation,Won,2016-10-20,2017-03-01,100\n"


@pytest.mark.parametrize(
    ("bad_row", "column", "reason"),
    [
        ("B1,Anna Snelling,GTX Ultra,,Engaging,2017-01-01,,", "product", "Unknown product"),
        ("B1,Nobody Atall,GTX Pro,,Engaging,2017-01-01,,", "sales_agent", "Unknown sales agent"),
        (
            "B1,Anna Snelling,GTX Pro,Nowhere Inc,Engaging,2017-01-01,,",
            "account",
            "Unknown account",
        ),
        ("B1,Anna Snelling,GTX Pro,,Engaging,2017-13-01,,", "engage_date", "Not a date"),
        ("B1,Anna Snelling,GTX Pro,,Engaging,01/02/2017,,", "engage_date", "Not a date"),
        ("B1,Anna Snelling,GTX Pro,,Won,2017-01-01,2017-02-01,-5", "close_value", "negative"),
        ("B1,Anna Snelling,GTX Pro,,Won,2017-01-01,2017-02-01,lots", "close_value", "Not a number"),
        ("B1,Anna Snelling,GTX Pro,,Won,2017-01-01,,100", "close_date", "won deal needs a close"),
        ("B1,Anna Snelling,GTX Pro,,Lost,2017-01-01,,0", "close_date", "lost deal needs a close"),
        (
            "B1,Anna Snelling,GTX Pro,,Won,2017-01-01,2017-02-01,",
            "close_value",
            "needs a close value",
        ),
        (
            "B1,Anna Snelling,GTX Pro,,Won,2017-03-01,2017-02-01,100",
            "close_date",
            "before the engage",
        ),
        ("B1,Anna Snelling,GTX Pro,,Negotiating,2017-01-01,,", "deal_stage", "Unknown stage"),
        ("OK1,Anna Snelling,GTX Pro,,Engaging,2017-01-01,,", "opportunity_id", "Duplicate"),
        (",Anna Snelling,GTX Pro,,Engaging,2017-01-01,,", "opportunity_id", "required"),
    ],
)
def test_each_bad_opportunity_is_reported_with_file_line_and_column(
    tmp_path, bad_row, column, reason
):
    text = OPP_HEADER + GOOD + "\n" + bad_row + "\n"  # a blank line: physical lines count
    report = run_import(write_files(tmp_path, {"opportunities": text}))

    issues = [i for i in report.files["opportunities"].issues if i.level == "error"]
    assert [(i.file, i.line, i.column) for i in issues] == [("opportunities.csv", 4, column)]
    assert reason.lower() in issues[0].reason.lower()
    # The valid row is imported anyway (not strict), the bad one is not.
    assert set(Deal.objects.values_list("external_id", flat=True)) == {"OK1"}
    assert report.status == ImportStatus.PARTIAL
    assert report.files["opportunities"].error_rows == 1


@pytest.mark.parametrize(
    ("kind", "text", "line", "column", "reason"),
    [
        (
            "products",
            "product,series,sales_price\nGTX Pro,GTX,4821\nMG Special,MG,cheap\n",
            3,
            "sales_price",
            "Not a number",
        ),
        (
            "products",
            "product,series\nGTX Pro,GTX\n",
            1,
            "sales_price",
            "Missing column",
        ),
        (
            "accounts",
            "account,sector,year_established,revenue,employees,office_location,subsidiary_of\n"
            "Acme Corporation,technology,1996,1100,2822,United States,\n"
            "Betatech,medical,1986,-3,1185,Kenya,\n",
            3,
            "revenue",
            "negative",
        ),
        (
            "accounts",
            "account,sector,year_established,revenue,employees,office_location,subsidiary_of\n"
            "Acme Corporation,technology,1996,1100,many,United States,\n",
            2,
            "employees",
            "whole number",
        ),
        (
            "accounts",
            "account,sector,year_established,revenue,employees,office_location,subsidiary_of\n"
            "Acme Corporation,technology,1996,1100,10,United States,Nobody Holdings\n",
            2,
            "subsidiary_of",
            "Unknown parent",
        ),
        (
            "teams",
            "sales_agent,manager,regional_office\nAnna Snelling,Dustin Brinkmann,Central\n"
            "Anna Snelling,Rocco Neubert,East\n",
            3,
            "sales_agent",
            "Duplicate agent",
        ),
        (
            "costs",
            "date,sales_agent,category,amount\n2017-01-31,Anna Snelling,bribes,10\n",
            2,
            "category",
            "Unknown category",
        ),
        (
            "costs",
            "date,sales_agent,category,amount\n2017-01-31,Anna Snelling,salary,-10\n",
            2,
            "amount",
            "negative",
        ),
        (
            "costs",
            "date,who,category,amount\n2017-01-31,Anna Snelling,salary,10\n",
            1,
            "sales_agent or team",
            "Missing column",
        ),
    ],
)
def test_bad_rows_in_other_files_are_reported(tmp_path, kind, text, line, column, reason):
    report = run_import(write_files(tmp_path, {kind: text}))

    issues = [i for i in report.files[kind].issues if i.level == "error"]
    assert [(i.file, i.line, i.column) for i in issues] == [(f"{kind}.csv", line, column)]
    assert reason.lower() in issues[0].reason.lower()


def test_strict_writes_nothing_when_any_row_is_bad(tmp_path):
    text = OPP_HEADER + GOOD + "B1,Anna Snelling,GTXX,,Engaging,2017-01-01,,\n"
    before = row_counts()

    report = run_import(write_files(tmp_path, {"opportunities": text}), strict=True)

    assert report.status == ImportStatus.FAILED
    assert not report.committed
    assert row_counts() == before
    assert errors(report) == [("opportunities.csv", 3, "product")]
    assert ImportRun.objects.get(pk=report.run_id).status == ImportStatus.FAILED


def test_strict_commits_when_every_row_is_good(tmp_path):
    report = run_import(write_files(tmp_path), strict=True)
    assert report.status == ImportStatus.SUCCESS
    assert Deal.objects.count() == 4


def test_dry_run_reports_real_counts_and_writes_nothing(tmp_path):
    before = row_counts()

    report = run_import(write_files(tmp_path), dry_run=True)

    assert row_counts() == before
    assert report.status == ImportStatus.DRY_RUN
    assert report.files["opportunities"].as_dict()["counts"]["deal"]["created"] == 4
    assert ImportRun.objects.get(pk=report.run_id).dry_run is True


@pytest.mark.parametrize(("bom", "crlf"), [(True, False), (False, True), (True, True)])
def test_bom_and_crlf_files_import_like_plain_ones(tmp_path, bom, crlf):
    text = OPP_HEADER + GOOD + "B1,Anna Snelling,GTXX,,Engaging,2017-01-01,,\n"
    report = run_import(write_files(tmp_path, {"opportunities": text}, bom=bom, crlf=crlf))

    assert errors(report) == [("opportunities.csv", 3, "product")]
    assert Account.objects.filter(name="Acme Corporation").exists()  # first column read
    assert Deal.objects.get(external_id="OK1").close_value == Decimal("100.00")


def test_name_differing_only_in_case_or_spacing_matches_with_a_warning(tmp_path):
    text = OPP_HEADER + "N1,anna  snelling,GTXPro,acme corporation,Won,2017-01-01,2017-02-01,9\n"
    report = run_import(write_files(tmp_path, {"opportunities": text}))

    deal = Deal.objects.get(external_id="N1")
    assert (deal.owner.name, deal.product.name, deal.account.name) == (
        "Anna Snelling",
        "GTX Pro",
        "Acme Corporation",
    )
    assert errors(report) == []
    assert any("'GTXPro' matched 'GTX Pro'" in reason for reason in warnings(report))
    assert any("'anna  snelling' matched 'Anna Snelling'" in reason for reason in warnings(report))
    assert Product.objects.count() == 2


def test_name_near_two_known_names_is_an_error(tmp_path):
    """Two stored products both differ from 'GTXPro' only in spacing: no guessing."""
    ProductFactory(name="GTX Pro")
    ProductFactory(name="GT XPro")
    text = OPP_HEADER + "N1,Anna Snelling,GTXPro,,Engaging,2017-01-01,,\n"
    files = write_files(tmp_path, {"opportunities": text}, kinds=("teams", "opportunities"))
    report = run_import(files)
    issue = report.files["opportunities"].issues[0]
    assert (issue.level, issue.column) == ("error", "product")
    assert "Ambiguous" in issue.reason


def test_misspelled_sector_and_country_are_flagged_not_changed(tmp_path):
    accounts = (
        "account,sector,year_established,revenue,employees,office_location,subsidiary_of\n"
        "A1,technology,1996,1,1,United States,\n"
        "A2,technology,1996,1,1,Philipines,\n"
        "A3,technolgy,1996,1,1,Korea,\n"
        "A4,retail,1996,1,1,Atlantis,\n"
    )
    report = run_import(write_files(tmp_path, {"accounts": accounts}, kinds=("accounts",)))

    assert Account.objects.get(name="A3").sector == "technolgy"
    assert Account.objects.get(name="A2").country == "PH"
    assert Account.objects.get(name="A3").country == ""
    assert Account.objects.get(name="A4").country == ""
    found = warnings(report)
    assert any("'technolgy'" in w and "'technology'" in w for w in found)
    assert not any("Sector 'technology'" in w for w in found)
    assert any("Philipines" in w and "(PH)" in w for w in found)
    assert any("Korea" in w and "ambiguous" in w for w in found)
    assert any("Atlantis" in w for w in found)
    assert errors(report) == []


def test_stage_map_override_maps_foreign_stages(tmp_path):
    text = OPP_HEADER + "S1,Anna Snelling,GTX Pro,,Engaging,2017-01-01,,\n"
    text += "S2,Anna Snelling,GTX Pro,,Pitching,2017-01-01,,\n"
    report = run_import(
        write_files(tmp_path, {"opportunities": text}),
        stage_map='{"Engaging": "presentation", "pitching": "objection_handling"}',
    )
    assert errors(report) == []
    assert Deal.objects.get(external_id="S1").stage == "presentation"
    assert Deal.objects.get(external_id="S2").stage == "objection_handling"


def test_stage_map_to_an_unknown_stage_is_refused(tmp_path):
    with pytest.raises(ValidationError) as caught:
        run_import(write_files(tmp_path), stage_map='{"Engaging": "dreaming"}')
    assert "dreaming" in str(caught.value.message_dict["stage_map"])
    assert not ImportRun.objects.exists()


def test_costs_reimport_creates_no_duplicates_even_for_identical_rows(tmp_path):
    costs = "date,sales_agent,category,amount\n" + "2017-01-31,Anna Snelling,travel,10\n" * 2
    files = write_files(tmp_path, {"costs": costs})
    run_import(files)
    assert SalesCost.objects.filter(category="travel").count() == 2

    second = run_import(files)

    assert SalesCost.objects.count() == 2
    assert second.files["costs"].as_dict()["counts"]["cost"] == {
        "created": 0,
        "updated": 0,
        "unchanged": 2,
    }


def test_costs_with_a_team_column_are_booked_to_the_team(tmp_path):
    run_import(write_files(tmp_path, {"costs": TEAM_COSTS}))
    cost = SalesCost.objects.get()
    assert (cost.team.name, cost.person, cost.amount) == (
        "Team Dustin Brinkmann",
        None,
        Decimal("300.00"),
    )


def test_existing_person_is_matched_not_duplicated(tmp_path):
    existing = PersonFactory(name="Anna Snelling", role=Role.SDR)
    run_import(write_files(tmp_path))
    existing.refresh_from_db()
    assert Person.objects.filter(name__iexact="anna snelling").count() == 1
    # An SDR stays an SDR (the export does not tell rep roles apart); team and manager follow.
    assert (existing.role, existing.manager.name) == (Role.SDR, "Dustin Brinkmann")


def test_accounts_changed_hook_runs_on_commit_with_changed_accounts(
    tmp_path, django_capture_on_commit_callbacks
):
    heard: list[list[int]] = []
    hooks.register_account_listener(heard.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            run_import(write_files(tmp_path))
        assert heard == [sorted(Account.objects.values_list("pk", flat=True))]
        heard.clear()
        with django_capture_on_commit_callbacks(execute=True):
            run_import(write_files(tmp_path), dry_run=True)
        assert heard == []
    finally:
        hooks._account_listeners.remove(heard.append)


def test_command_prints_issues_and_summary_table(tmp_path):
    files = write_files(
        tmp_path, {"opportunities": OPP_HEADER + GOOD + "B1,Anna Snelling,X,,Won,,,\n"}
    )
    out = StringIO()
    args = [f"--{kind}={path}" for kind, path in files.items()]

    call_command("import_crm", *args, stdout=out, stderr=StringIO())

    text = out.getvalue()
    assert "ERROR   opportunities.csv:3 [product]: Unknown product." in text
    assert "ERROR   opportunities.csv:3 [close_date]" in text
    assert "file" in text and "created" in text and "unchanged" in text
    assert "partial" in text


def test_command_fails_in_strict_mode_with_bad_rows(tmp_path):
    files = write_files(tmp_path, {"opportunities": OPP_HEADER + "B1,Anna Snelling,X,,Won,,,\n"})
    args = [f"--{kind}={path}" for kind, path in files.items()]
    with pytest.raises(CommandError, match="Nothing was written"):
        call_command("import_crm", *args, "--strict", stdout=StringIO(), stderr=StringIO())
    assert not Deal.objects.exists()


def test_command_refuses_bad_stage_map_json(tmp_path):
    files = write_files(tmp_path)
    args = [f"--{kind}={path}" for kind, path in files.items()]
    with pytest.raises(CommandError, match="Not valid JSON"):
        call_command("import_crm", *args, "--stage-map={oops", stdout=StringIO())


def test_subsidiary_may_come_before_its_parent_in_the_file(tmp_path):
    accounts = (
        "account,sector,year_established,revenue,employees,office_location,subsidiary_of\n"
        "Child Co,retail,2001,1,1,Germany,parent co\n"
        "Parent Co,retail,2001,1,1,Germany,\n"
    )
    report = run_import(write_files(tmp_path, {"accounts": accounts}, kinds=("accounts",)))
    assert Account.objects.get(name="Child Co").parent.name == "Parent Co"
    assert errors(report) == []
    assert any("matched 'Parent Co'" in w for w in warnings(report))


def test_changed_account_is_updated_and_announced(tmp_path, django_capture_on_commit_callbacks):
    files = write_files(tmp_path, kinds=("accounts",))
    run_import(files)
    cancity = Account.objects.get(name="Cancity")
    changed = (
        "account,sector,year_established,revenue,employees,office_location,subsidiary_of\n"
        "Acme Corporation,technology,1996,1100.04,2822,United States,\n"
        "Betatech,medical,1986,647.18,1185,Kenya,Acme Corporation\n"
        "Cancity,retail,2001,718.62,3000,Germany,Betatech\n"
    )
    heard: list[list[int]] = []
    hooks.register_account_listener(heard.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            report = run_import(write_files(tmp_path, {"accounts": changed}, kinds=("accounts",)))
    finally:
        hooks._account_listeners.remove(heard.append)
    cancity.refresh_from_db()
    assert (cancity.employees, cancity.parent.name) == (3000, "Betatech")
    assert report.files["accounts"].as_dict()["counts"]["account"] == {
        "created": 0,
        "updated": 1,
        "unchanged": 2,
    }
    assert heard == [[cancity.pk]]


def test_duplicate_names_in_one_file_are_errors(tmp_path):
    products = "product,series,sales_price\nGTX Pro,GTX,1\nGTXPro,GTX,2\n"
    report = run_import(write_files(tmp_path, {"products": products}, kinds=("products",)))
    assert errors(report) == [("products.csv", 3, "product")]
    assert Product.objects.get().list_price == Decimal("1.00")


def test_a_file_that_is_not_utf8_is_reported_not_crashed(tmp_path):
    products = "product,series,sales_price\nGTX Pro,GTX,1\nCaf\xe9 Deluxe,GTX,2\n"
    path = tmp_path / "products.csv"
    path.write_bytes(products.encode("latin-1"))
    report = run_import({"products": path})
    [issue] = report.files["products"].issues
    assert (issue.level, issue.line) == ("error", 3)
    assert "Line 3 is not UTF-8" in issue.reason
    assert Product.objects.get().name == "GTX Pro"


def test_a_row_with_more_fields_than_the_header_is_an_error(tmp_path):
    products = "product,series,sales_price\nGTX Pro,GTX,1\nMG,MG,2,surprise\n"
    report = run_import(write_files(tmp_path, {"products": products}, kinds=("products",)))
    assert errors(report) == [("products.csv", 3, "")]
    assert list(Product.objects.values_list("name", flat=True)) == ["GTX Pro"]


def test_quoted_multiline_fields_keep_physical_line_numbers(tmp_path):
    products = 'product,series,sales_price\n"GTX\nPro",GTX,1\nMG,MG,oops\n'
    report = run_import(write_files(tmp_path, {"products": products}, kinds=("products",)))
    assert errors(report) == [("products.csv", 4, "sales_price")]
