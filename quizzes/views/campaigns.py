"""答题活动 pages for the staff: the list, setting one up, its results and item analysis, voiding it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from orgs.access import get_for_user, holds, scope_paths
from orgs.forms import add_service_errors
from orgs.models import Organization
from quizzes import selectors, services
from quizzes.forms import CampaignForm
from quizzes.models import Campaign, Category
from quizzes.roles import BANK_ROLES
from quizzes.views.common import bank_orgs, page_of, require_bank, require_staff


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    require_staff(request)
    qs = Campaign.objects.visible_to(request.user).select_related("org")
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(title__icontains=q)
    context = {
        "page": page_of(request, qs),
        "q": q,
        "now": timezone.now(),
        "can_edit": holds(request.user, BANK_ROLES),
    }
    return render(request, "quizzes/campaign_list.html", context)


@login_required
def campaign_create(request: HttpRequest) -> HttpResponse:
    require_bank(request)
    orgs = bank_orgs(request)
    categories = Category.objects.visible_to(request.user).select_related("parent", "parent__parent")
    form = CampaignForm(request.POST or None, orgs=orgs, categories=categories)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        member_ids, name_errors = selectors.members_by_names(d["org"], form.names())
        for error in name_errors:
            form.add_error("member_names", error)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            campaign = services.create_campaign(
                actor=request.user,
                org=d["org"],
                title=d["title"],
                purpose=d["purpose"],
                starts_at=d["starts_at"],
                ends_at=d["ends_at"],
                quotas=form.quotas(),
                time_limit_minutes=d["time_limit_minutes"],
                attempts_allowed=d["attempts_allowed"],
                pass_mark=d["pass_mark"],
                partial_multiple=d["partial_multiple"],
                review_after_close=d["review_after_close"],
                points_on_pass=d["points_on_pass"],
                titles=d["titles"],
                member_ids=member_ids,
            )
            messages.success(request, "答题活动已发布")
            return redirect("quizzes:campaign_detail", pk=campaign.pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
    return render(request, "quizzes/campaign_form.html", {"form": form})


def _focus(request: HttpRequest, campaign: Campaign) -> Organization:
    """The node the results are shown for: ?org= inside both the campaign and the user's scope."""
    paths = scope_paths(request.user)
    top = campaign.org
    if paths is not None and not any(top.path.startswith(p) for p in paths):
        # A reader below the campaign's node sees their own subtree's results.
        below = (
            Organization.objects.filter(path__in=paths, path__startswith=top.path).order_by("path").first()
        )
        top = below or top
    raw = request.GET.get("org", "")
    if raw.isdigit():
        node = get_for_user(Organization.objects.all(), request.user, int(raw))
        if node.path.startswith(top.path):
            return node
    return top


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_for_user(Campaign.objects.select_related("org"), request.user, pk)
    node = _focus(request, campaign)
    rows = selectors.participation(campaign, node)
    items = selectors.item_analysis(campaign) if holds(request.user, BANK_ROLES, campaign.org.path) else []
    context = {
        "campaign": campaign,
        "audience": selectors.audience_text(campaign),
        "node": node,
        "rows": rows,
        "leaders": selectors.leaderboard(campaign, node),
        "items": items,
        "can_edit": holds(request.user, BANK_ROLES, campaign.org.path),
        "now": timezone.now(),
    }
    return render(request, "quizzes/campaign_detail.html", context)


@require_POST
@login_required
def campaign_void(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_for_user(Campaign.objects.select_related("org"), request.user, pk, write=True)
    try:
        services.void_campaign(actor=request.user, campaign=campaign, reason=request.POST.get("reason", ""))
        messages.success(request, "活动已作废，已冲正因通过活动获得的积分")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("quizzes:campaign_detail", pk=campaign.pk)
