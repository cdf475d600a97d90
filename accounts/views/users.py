"""The 三员 user-management pages: the system administrator's accounts, the security administrator's roles.

Both administrators see the list and a user's page; each sees only their own actions. Everybody else gets
404 (the pages do not advertise themselves); an administrator asking for the other one's action gets 403.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.forms import GrantForm, UserCreateForm
from accounts.models import User
from accounts.selectors import search_users
from accounts.services import users as services
from orgs.access import is_security_admin
from orgs.models import Member, Organization, RoleGrant

NOT_FOUND = "未找到该页面"


def _require_admin(request: HttpRequest) -> None:
    if not services.can_manage_users(request.user):
        raise Http404(NOT_FOUND)


def _user(request: HttpRequest, pk: int) -> User:
    _require_admin(request)
    user = User.objects.select_related("member", "member__org").filter(pk=pk).first()
    if user is None:
        raise Http404("未找到该用户")
    return user


def _form_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@never_cache
@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    query, active = request.GET.get("q", "").strip(), request.GET.get("active", "")
    page = Paginator(search_users(query, active=active), settings.PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "page": page,
        "query": query,
        "active": active,
        "params": params.urlencode(),
        "is_system_admin": services.is_system_admin(request.user),
    }
    return render(request, "accounts/user_list.html", context)


@never_cache
@login_required
def user_create(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    services.require_system_admin(request.user)  # the security administrator: 403
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        member = None
        if data["member_id"]:
            member = Member.objects.filter(pk=data["member_id"]).select_related("org").first()
            if member is None:
                form.add_error("member_id", "未找到该党员")
        if form.is_valid():
            try:
                user, password = services.create_account(
                    actor=request.user,
                    username=data["username"],
                    display_name=data["display_name"],
                    member=member,
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                return _password_once(request, user, password, "账号已创建")
    return render(request, "accounts/user_form.html", {"form": form})


def _password_once(request: HttpRequest, user: User, password: str, done: str) -> HttpResponse:
    """The new initial password, on this response only (never stored in clear, never shown again)."""
    if not password:
        messages.success(request, f"{done}，初始密码已通过短信发送到本人手机")
        return redirect("accounts:user_detail", pk=user.pk)
    response = render(
        request, "accounts/user_password_once.html", {"account": user, "password": password, "done": done}
    )
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@login_required
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request, pk)
    context = {
        "account": user,
        "grants": RoleGrant.objects.filter(user=user)
        .select_related("org", "position")
        .order_by("role", "org__path"),
        "is_system_admin": services.is_system_admin(request.user),
        "is_security_admin": is_security_admin(request.user),
        "grant_form": GrantForm(),
    }
    return render(request, "accounts/user_detail.html", context)


@require_POST
@login_required
def user_active(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request, pk)
    active = request.POST.get("active") == "1"
    services.set_account_active(actor=request.user, user=user, active=active)
    messages.success(request, f"已{'启用' if active else '停用'}账号 {user.username}")
    return redirect("accounts:user_detail", pk=user.pk)


@require_POST
@never_cache
@login_required
def user_reset_password(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request, pk)
    password = services.reset_password(actor=request.user, user=user)
    return _password_once(request, user, password, "密码已重置")


@require_POST
@login_required
def user_grant(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request, pk)
    services.require_security_admin(request.user)  # the system administrator: 403
    form = GrantForm(request.POST)
    if form.is_valid():
        org = Organization.objects.filter(code=form.cleaned_data["org_code"].strip()).first()
        if org is None:
            form.add_error("org_code", "未找到该组织代码")
        else:
            try:
                services.grant_role_on_node(
                    actor=request.user, user=user, org=org, role=form.cleaned_data["role"]
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, "已授予角色")
                return redirect("accounts:user_detail", pk=user.pk)
    context = {
        "account": user,
        "grants": RoleGrant.objects.filter(user=user).select_related("org", "position"),
        "is_system_admin": services.is_system_admin(request.user),
        "is_security_admin": True,
        "grant_form": form,
    }
    return render(request, "accounts/user_detail.html", context)


@require_POST
@login_required
def grant_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    _require_admin(request)
    grant = RoleGrant.objects.select_related("user", "org").filter(pk=pk).first()
    if grant is None:
        raise Http404("未找到该授权")
    services.revoke_role(actor=request.user, grant=grant)
    messages.success(
        request, f"已撤销 {grant.user.username} 在 {grant.org.name} 的{grant.get_role_display()}角色"
    )
    return redirect("accounts:user_detail", pk=grant.user.pk)
