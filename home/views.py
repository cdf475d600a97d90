"""工作台: each user's landing page. It shows every app's summary for the user's subtree, so it sits
above the apps it draws from (docs/architecture.md); a member without a tree role sees their own file."""

from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.models import User
from orglife.selectors.stats import dashboard_chart
from orgs import selectors
from orgs.access import has_any_scope


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    if not has_any_scope(request.user):
        member = getattr(request.user, "member", None)
        return render(request, "home/dashboard_member.html", {"member": member})
    stats = selectors.dashboard(request.user, timezone.localdate())
    completion = dashboard_chart(
        cast(User, request.user), timezone.localdate()
    )  # orglife: the month by committee
    context = {"stats": stats, "chart_data": stats.chart_data(), "completion_chart": completion}
    return render(request, "home/dashboard.html", context)
