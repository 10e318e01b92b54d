"""Small CRM export files written by the tests themselves, never read from outside the repo."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from salesops.importer.report import ImportReport
from salesops.importer.services import crm_import_run

TEAMS = """sales_agent,manager,regional_office
Anna Snelling,Dustin Brinkmann,Central
Cecily Lampkin,Dustin Brinkmann,Central
Moses Frase,Rocco Neubert,East
"""
PRODUCTS = """product,series,sales_price
GTX Pro,GTX,4821
MG Special,MG,55
"""
ACCOUNTS = """account,sector,year_established,revenue,employees,office_location,subsidiary_of
Acme Corporation,technology,1996,1100.04,2822,United States,
Betatech,medical,1986,647.18,1185,Kenya,Acme Corporation
Cancity,retail,2001,718.62,2448,Germany,
"""
OPPORTUNITIES = """opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value
OPP1,Anna Snelling,GTX Pro,Acme Corporation,Won,2016-10-20,2017-03-01,4514
OPP2,Cecily Lampkin,MG Special,Cancity,Lost,2016-10-25,2017-03-11,0
OPP3,Moses Frase,GTX Pro,,Engaging,2017-01-05,,
OPP4,Anna Snelling,MG Special,,Prospecting,,,
"""
COSTS = """date,sales_agent,category,amount
2017-01-31,Anna Snelling,salary,5000
2017-01-31,Moses Frase,travel,120.50
"""
TEAM_COSTS = """date,team,category,amount
2017-01-31,Team Dustin Brinkmann,tools,300
"""
ALL = {
    "teams": TEAMS,
    "products": PRODUCTS,
    "accounts": ACCOUNTS,
    "opportunities": OPPORTUNITIES,
    "costs": COSTS,
}


def write_files(
    directory: Path,
    overrides: dict[str, str] | None = None,
    *,
    bom: bool = False,
    crlf: bool = False,
    kinds: tuple[str, ...] = ("teams", "products", "accounts", "opportunities", "costs"),
) -> dict[str, Path]:
    contents = {**ALL, **(overrides or {})}
    paths: dict[str, Path] = {}
    for kind in kinds:
        text = contents[kind]
        if crlf:
            text = text.replace("\n", "\r\n")
        data = text.encode("utf-8")
        if bom:
            data = b"\xef\xbb\xbf" + data
        path = directory / f"{kind}.csv"
        path.write_bytes(data)
        paths[kind] = path
    return paths


def run_import(files: dict[str, Any], **options: Any) -> ImportReport:
    options.setdefault("stage_map", None)
    options.setdefault("dry_run", False)
    options.setdefault("strict", False)
    options.setdefault("user", None)
    options.setdefault("origin", "test")
    return crm_import_run(files=files, **options)


def errors(report: ImportReport) -> list[tuple[str, int, str]]:
    """(file name, line, column) of every error."""
    return [
        (issue.file, issue.line, issue.column)
        for file in report.files.values()
        for issue in file.issues
        if issue.level == "error"
    ]


def warnings(report: ImportReport) -> list[str]:
    return [
        issue.reason
        for file in report.files.values()
        for issue in file.issues
        if issue.level == "warning"
    ]
