"""Answering pages (phones first)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from dtss.surveys import selectors


@login_required
def my_surveys(request: HttpRequest) -> HttpResponse:
    """Named runs waiting for the signed-in person, and those answered (still changeable)."""
    invitations = selectors.my_invitations(user=request.user)
    return render(
        request,
        "surveys/my_surveys.html",
        {
            "waiting": [i for i in invitations if i.answered_at is None],
            "answered": [i for i in invitations if i.answered_at is not None],
        },
    )
