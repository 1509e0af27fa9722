"""Desk pages of meetings: list, plan, detail (the plan helper fills these in)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .access import access_meeting


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = access_meeting(request.user, pk)
    return render(request, "meetings/detail.html", {"meeting": meeting})
