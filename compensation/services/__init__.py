"""Every write of the compensation app. See the modules: quotas, plans, statements, disputes, jobs."""
