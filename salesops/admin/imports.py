"""Admin for CRM imports: the upload page and import history."""
