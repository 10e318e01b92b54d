"""CRM import: parsing, validation, name matching, set-based upserts and the report.

Callers (command, admin page, API) use `salesops.importer.services.crm_import_run` only.
See docs/importer.md.
"""
