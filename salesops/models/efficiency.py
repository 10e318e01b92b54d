"""Efficiency snapshots (issue: the nightly sales-efficiency engine). Models go here."""
