"""Login, logout and password change pages, two-factor setup, the security settings and the audit log
(三员 pages). The services hold the security logic."""

import datetime as dt
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST, require_safe

from accounts import otp, services, tokens
from accounts.forms import LoginForm, OTPForm, PasswordChangeForm
from accounts.models import ApiToken, LoginAttempt, User, live_tokens_q
from accounts.selectors import audit_paths, events_visible_to
from audit.filters import AuditEventFilter, target_type_choices
from orgs.access import is_security_admin
from orgs.models import Organization

TIMEOUT_MESSAGE = "会话已超时，请重新登录"


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.method == "GET":
        return redirect(_safe_next(request))
    form = LoginForm(request.POST or None)
    error = ""
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.login_user(
                request, username=form.cleaned_data["username"], password=form.cleaned_data["password"]
            )
        except services.LoginError as exc:
            error = str(exc)
            status = 429 if exc.code in ("locked", "throttled") else 200
        else:
            if request.user.is_authenticated:
                return redirect(_safe_next(request))
            # Two-factor users: the password is right but the session is not logged in yet.
            step = (
                "accounts:otp_verify"
                if otp.confirmed_device(otp.pending_user(request))
                else "accounts:otp_setup"
            )
            return redirect(f"{reverse(step)}?{urlencode({'next': _safe_next(request)})}")
    context = {
        "form": form,
        "error": error,
        "timeout_message": TIMEOUT_MESSAGE if request.GET.get("timeout") == "1" else "",
        "next": request.POST.get("next") or request.GET.get("next") or "",
        "max_failures": settings.LOGIN_MAX_FAILURES,
        "lockout_minutes": settings.LOGIN_LOCKOUT_MINUTES,
    }
    return render(request, "accounts/login.html", context, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    services.logout_user(request)
    messages.success(request, "您已安全退出")
    return redirect(settings.LOGOUT_REDIRECT_URL)


@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@never_cache
@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # login_required guarantees a real user
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_password(
                user=user, new_password=form.cleaned_data["new_password1"], request=request
            )
        except ValidationError as exc:
            form.add_error("new_password1", exc)
        else:
            messages.success(request, "密码已修改，其他设备上的登录已失效")
            return redirect(settings.LOGIN_REDIRECT_URL)
    return render(request, "accounts/password_change.html", {"form": form})


# ---- two-factor authentication ------------------------------------------------------------------


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def otp_verify(request: HttpRequest) -> HttpResponse:
    """Second login step: the pending user types the authenticator's code (or a recovery code)."""
    user = otp.pending_user(request)
    if user is None or otp.confirmed_device(user) is None:
        otp.clear_pending(request)
        messages.warning(request, "请先输入用户名和密码")
        return redirect("accounts:login")
    form = OTPForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            services.complete_second_factor(request, code=form.cleaned_data["code"])
        except services.LoginError as exc:
            if exc.code in ("locked", "expired"):
                messages.error(request, str(exc))
                return redirect("accounts:login")
            error = str(exc)
        else:
            return redirect(_safe_next(request))
    context = {"form": form, "error": error, "pending": user, "next": _safe_next(request)}
    return render(request, "accounts/otp_verify.html", context)


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator: forced for admins right after the password, or opted in from 账号安全."""
    if request.user.is_authenticated:
        user = cast(User, request.user)
    else:
        pending = otp.pending_user(request)
        if pending is None:
            return redirect(f"{reverse('accounts:login')}?{urlencode({'next': request.path})}")
        user = pending
    if otp.confirmed_device(user) is not None:
        return redirect("accounts:otp_status" if request.user.is_authenticated else "accounts:otp_verify")
    device = otp.pending_device(user)
    secret = otp.device_secret(device)
    form = OTPForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.complete_enrolment(request, user=user, code=form.cleaned_data["code"])
        except services.LoginError as exc:
            if exc.code == "locked":
                otp.clear_pending(request)
                messages.error(request, str(exc))
                return redirect("accounts:login")
            error = str(exc)
        else:
            shown = {"codes": codes, "next": _safe_next(request)}
            return render(request, "accounts/otp_recovery_codes.html", shown)
    context: dict[str, Any] = {
        "form": form,
        "error": error,
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "uri": otp.provisioning_uri(secret, user.get_username()),
        "forced": not request.user.is_authenticated,
        "next": _safe_next(request),
    }
    return render(request, "accounts/otp_setup.html", context)


@sensitive_post_parameters("code")
@never_cache
@login_required
def otp_status(request: HttpRequest) -> HttpResponse:
    """账号安全: whether two-factor authentication is on; opted-in members may turn it off with a code."""
    user = cast(User, request.user)
    required = otp.is_required(user)
    device = otp.confirmed_device(user)
    form = OTPForm(request.POST or None)
    if request.method == "POST":
        if required or device is None:
            raise PermissionDenied("管理员账号必须使用双因素认证")
        if form.is_valid() and otp.verify(user=user, code=form.cleaned_data["code"]):
            otp.disable(user=user, actor=user, reason="opt_out")
            messages.success(request, "已关闭双因素认证")
            return redirect("accounts:otp_status")
        form.add_error("code", services.OTP_BAD)
    context = {
        "required": required,
        "device": device,
        "form": form,
        "recovery_left": user.recovery_codes.filter(used_at__isnull=True).count(),
        "api_tokens": ApiToken.objects.live(timezone.now()).filter(user=user),
        "token_idle_minutes": settings.API_TOKEN_IDLE_MINUTES,
    }
    return render(request, "accounts/otp_status.html", context)


# ---- API tokens: the user's own, listed on 账号安全 --------------------------------------------------


@require_POST
@login_required
def token_revoke_all(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    revoked = tokens.revoke_all(actor=user, user=user)
    messages.success(request, f"已吊销全部接口令牌（{revoked}个）")
    return redirect("accounts:otp_status")


@require_POST
@login_required
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    tokens.revoke_own(user=cast(User, request.user), pk=pk)  # someone else's token: 404
    messages.success(request, "已吊销该接口令牌")
    return redirect("accounts:otp_status")


# ---- 安全管理员: unlock accounts, reset two-factor authentication, revoke API tokens ----------------


@never_cache
@login_required
def security_admin(request: HttpRequest) -> HttpResponse:
    """The security administrator's page; other users get 404 (it does not advertise itself)."""
    if not is_security_admin(request.user):
        raise Http404("未找到该页面")
    if request.method == "POST":
        target = User.objects.filter(username=request.POST.get("username", "")).first()
        if target is None:
            raise Http404("未找到该用户")
        action = request.POST.get("action")
        if action == "unlock":
            services.unlock_account(actor=request.user, user=target)
            messages.success(request, f"已解除 {target.username} 的登录锁定")
        elif action == "reset_2fa":
            services.reset_second_factor(actor=request.user, user=target)
            messages.success(request, f"已重置 {target.username} 的双因素认证，下次登录须重新绑定")
        elif action == "revoke_tokens":
            revoked = tokens.revoke_all(actor=request.user, user=target)
            messages.success(request, f"已吊销 {target.username} 的全部接口令牌（{revoked}个）")
        else:
            return HttpResponseBadRequest("未知操作")
        return redirect("accounts:security_admin")
    query = request.GET.get("q", "").strip()
    users = User.objects.none()
    if query:
        live = live_tokens_q(timezone.now(), prefix="api_tokens__")
        users = (
            User.objects.filter(username__icontains=query)
            .select_related("totp")
            .annotate(live_tokens=Count("api_tokens", filter=live))
            .order_by("username")[:50]
        )
    context = {"query": query, "users": users, "locked": locked_usernames()}
    return render(request, "accounts/security_admin.html", context)


def locked_usernames() -> list[str]:
    """Usernames whose recent failures lock them now (a short list: only recent failures are read)."""
    window = timezone.now() - dt.timedelta(minutes=2 * settings.LOGIN_LOCKOUT_MINUTES)
    names = (
        LoginAttempt.objects.filter(succeeded=False, created_at__gte=window)
        .values_list("username", flat=True)
        .distinct()[:200]
    )
    return sorted(n for n in names if services.is_locked(username=n))


@require_safe
@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    """审计日志: the audit trail for auditors, scoped to their subtree (see accounts.selectors)."""
    paths = audit_paths(request.user)
    if paths == []:
        raise Http404("未找到该页面")
    events = events_visible_to(request.user, paths)
    filterset = AuditEventFilter(request.GET or None, queryset=events)
    page = Paginator(filterset.qs, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    org_ids = {e.org_id for e in page.object_list if e.org_id}
    # Events keep plain org ids (audit rows outlive organizations); name them in one query.
    org_names = dict(Organization.objects.filter(pk__in=org_ids).values_list("pk", "name")) if org_ids else {}
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter": filterset,
        "page": page,
        "query": query.urlencode(),
        "type_names": dict(target_type_choices()),
        "org_names": org_names,
        "filtered": any(v for k, v in request.GET.items() if k != "page"),
    }
    return render(request, "audit/event_list.html", context)
