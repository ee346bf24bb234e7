"""Browsing a project: the clip list model, the browser and its filters, inspector, problems."""
