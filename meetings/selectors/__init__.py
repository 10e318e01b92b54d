"""Reads of the meetings app, scoped by user (see meetings.selectors.meetings for the rule)."""
