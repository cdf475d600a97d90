"""Declaring, the scorekeeper's queue, and one declaration's page with its actions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from orgs.access import get_for_user, has_any_scope, holds, own_member_id, scope_q
from orgs.forms import add_service_errors
from orgs.models import Member
from points import selectors, services
from points.forms import DeclarationForm, ReasonForm, ResubmitForm
from points.models import Declaration
from points.roles import RECORD_ROLES, REVIEW_ROLES
from points.views.common import focus_org, page_of, require_points_user, require_role, user_of

STATUS_TABS = [("", "全部"), *Declaration.Status.choices]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """学习积分 start page: a member's own year, and for staff the work waiting and the scope's week."""
    require_points_user(request)
    user = user_of(request)
    year = timezone.localdate().year
    context: dict[str, object] = {"year": year}
    member_id = own_member_id(user)
    if member_id:
        member = selectors.get_member_for_user(user, member_id)
        context["file"] = selectors.member_summary(member, year)
        context["mine"] = Declaration.objects.filter(member=member).select_related("rule")[:5]
    if has_any_scope(user):
        counts = Declaration.objects.visible_to(user).aggregate(
            waiting=Count("pk", filter=Q(status=Declaration.Status.DECLARED)),
            recorded=Count("pk", filter=Q(status=Declaration.Status.RECORDED)),
        )
        context.update(counts)
        context["can_record"] = holds(user, RECORD_ROLES)
        context["can_review"] = holds(user, REVIEW_ROLES)
    return render(request, "points/home.html", context)


def _declare_page(request: HttpRequest, form: DeclarationForm, member: Member | None) -> HttpResponse:
    """Both declaring pages: a valid POST declares through the service, for `member` (one's own) or for
    the member chosen on the form (a recorder on a member's behalf)."""
    on_behalf = member is None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            declaration = services.declare(
                actor=user_of(request),
                member=member or data["member"],
                item_code=data["rule"],
                occurred_on=data["occurred_on"],
                description=data["description"],
                evidence_link=data["evidence_link"],
                evidence_file=data["evidence_file"],
                client_key=data["client_key"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if getattr(declaration, "replayed", False):
                messages.info(request, "这条申报已经提交过，未重复保存")
                return redirect("points:declaration_list")
            messages.success(
                request, "已代为记录，待支部季度审定" if on_behalf else "已提交申报，等待计分员审核"
            )
            return redirect("points:declaration_list")
    return render(request, "points/declare.html", {"form": form, "on_behalf": on_behalf})


@login_required
def declare(request: HttpRequest) -> HttpResponse:
    """A member declares for themself (phone-first form)."""
    require_points_user(request)
    member_id = own_member_id(request.user)
    if not member_id:
        raise PermissionDenied("您的账号未关联党员，不能申报积分")
    member = selectors.get_member_for_user(request.user, member_id)
    rules = selectors.current_rules(member.org, timezone.localdate())
    form = DeclarationForm(request.POST or None, request.FILES or None, rules=rules)
    return _declare_page(request, form, member)


@login_required
def record(request: HttpRequest) -> HttpResponse:
    """计分员代为记录: a recorded declaration for a member of the recorder's subtree."""
    require_role(request, RECORD_ROLES, "只有计分员可以代为记录")
    members = Member.objects.active().select_related("org").order_by("org__path", "name")
    q = scope_q(request.user, "org__path", wanted=RECORD_ROLES)
    if q is not None:
        members = members.filter(q)
    org = focus_org(request)
    if org is not None:
        members = members.under(org)
    first = members.first()
    rules = selectors.current_rules(first.org, timezone.localdate()) if first else []
    form = DeclarationForm(request.POST or None, request.FILES or None, rules=rules, members=members)
    return _declare_page(request, form, None)


@login_required
def declaration_list(request: HttpRequest) -> HttpResponse:
    """The scorekeeper's queue (default: waiting) and a member's own declarations."""
    require_points_user(request)
    user = user_of(request)
    qs = Declaration.objects.visible_to(user).select_related("member", "org", "rule", "rule__block")
    staff = has_any_scope(user)
    default = Declaration.Status.DECLARED if staff and holds(user, RECORD_ROLES) else ""
    status = request.GET.get("status", default)
    if status not in dict(STATUS_TABS):
        status = ""
    if status:
        qs = qs.filter(status=status)
    org = focus_org(request) if staff else None
    if org is not None:
        qs = qs.filter(org__path__startswith=org.path)
    if request.GET.get("mine") or not staff:
        qs = qs.filter(member_id=own_member_id(user) or 0)
    context = {
        "page": page_of(request, qs),
        "tabs": STATUS_TABS,
        "status": status,
        "staff": staff,
        "can_declare": bool(own_member_id(user)),
    }
    return render(request, "points/declaration_list.html", context)


@login_required
def declaration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    d = get_for_user(
        Declaration.objects.select_related(
            "member", "org", "rule", "rule__block", "declared_by", "recorded_by"
        ),
        request.user,
        pk,
    )
    user = user_of(request)
    is_own = own_member_id(user) == d.member_id
    S = Declaration.Status
    context = {
        "d": d,
        "events": d.events.select_related("actor"),
        "entry": getattr(d, "entry", None) if d.status == S.CONFIRMED else None,
        "can_verify": d.status == S.DECLARED and holds(user, RECORD_ROLES, d.org.path) and not is_own,
        "can_reject": (d.status == S.DECLARED and holds(user, RECORD_ROLES, d.org.path) and not is_own)
        or (d.status == S.RECORDED and holds(user, RECORD_ROLES | REVIEW_ROLES, d.org.path)),
        "can_resubmit": d.status == S.REJECTED and is_own,
        "can_withdraw": d.status == S.DECLARED and is_own,
        "reason_form": ReasonForm(),
        "resubmit_form": ResubmitForm(
            initial={
                "occurred_on": d.occurred_on,
                "description": d.description,
                "evidence_link": d.evidence_link,
            }
        ),
    }
    return render(request, "points/declaration_detail.html", context)


def _act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    d = get_for_user(Declaration.objects.select_related("org"), request.user, pk, write=True)
    try:
        if action == "verify":
            services.verify_declaration(actor=user_of(request), declaration=d)
            messages.success(request, "已审核并记录")
        elif action == "reject":
            form = ReasonForm(request.POST)
            if not form.is_valid():
                raise ValidationError("请填写退回原因")
            services.reject_declaration(
                actor=user_of(request), declaration=d, reason=form.cleaned_data["reason"]
            )
            messages.success(request, "已退回")
        elif action == "withdraw":
            services.withdraw_declaration(actor=user_of(request), declaration=d)
            messages.success(request, "已撤回申报")
        else:
            again = ResubmitForm(request.POST, request.FILES)
            if not again.is_valid():
                raise ValidationError([e for errors in again.errors.values() for e in errors])
            services.resubmit_declaration(actor=user_of(request), declaration=d, **again.cleaned_data)
            messages.success(request, "已重新提交")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    nxt = request.POST.get("next", "")
    if nxt.startswith("/points/") and "//" not in nxt:
        return redirect(nxt)
    return redirect("points:declaration_detail", pk=d.pk)


@require_POST
@login_required
def verify(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "verify")


@require_POST
@login_required
def reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "reject")


@require_POST
@login_required
def resubmit(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "resubmit")


@require_POST
@login_required
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "withdraw")


@login_required
def evidence(request: HttpRequest, pk: int) -> FileResponse:
    """The evidence file, only through the declaration's scope (media is never served directly)."""
    d = get_for_user(Declaration.objects.all(), request.user, pk)
    if not d.evidence_file:
        raise Http404("没有佐证材料")
    return FileResponse(d.evidence_file.open("rb"), filename=(d.evidence_file.name or "").rsplit("/", 1)[-1])
