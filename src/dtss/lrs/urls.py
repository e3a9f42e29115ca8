"""The xAPI endpoints under /xapi/ (and /xAPI/), and the LRS administration pages."""

from __future__ import annotations

from django.urls import re_path

from dtss.lrs.resources import about, activities, agents, documents, statements

app_name = "xapi"

# Resource paths are matched with and without a trailing slash: xAPI clients differ, and a
# redirect would lose a POST body.
urlpatterns = [
    re_path(r"^statements/?$", statements.view, name="statements"),
    re_path(r"^activities/state/?$", documents.state_view, name="state"),
    re_path(r"^activities/profile/?$", documents.activity_profile_view, name="activity_profile"),
    re_path(r"^activities/?$", activities.view, name="activities"),
    re_path(r"^agents/profile/?$", documents.agent_profile_view, name="agent_profile"),
    re_path(r"^agents/?$", agents.view, name="agents"),
    re_path(r"^about/?$", about.view, name="about"),
]
