"""Pages of members and their posts: parse, check access, call a service, respond."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from orgs import selectors, services
from orgs.access import (
    can_write_anywhere,
    covers,
    get_for_user,
    require_tree,
    require_writer,
)
from orgs.filters import SEARCH_PERMISSION, MemberFilter, sensitive_search_key
from orgs.forms import (
    EndPositionForm,
    MemberForm,
    PositionForm,
    UnmaskForm,
    add_service_errors,
    style_filter_form,
)
from orgs.models import Member, Position
from orgs.views.common import page_of

MORE_FILTERS = ("gender", "education", "joined_from", "joined_to", "is_exempt")  # folded away on phones

# The columns of the members table: its page query reads only these (no ciphertexts, no keyed hashes).
MEMBER_LIST_FIELDS = (
    "name",
    "gender",
    "id_number_masked",
    "category",
    "joined_on",
    "phone_masked",
    "status",
    "is_exempt",
    "exempt_reason",
    "org__name",
    "org__short_name",
    "party_group__name",
    "party_group__short_name",
)


@login_required
def member_list(request: HttpRequest) -> HttpResponse:
    require_tree(request.user)
    if request.method == "POST":
        # An ID number or phone typed into the search box arrives by POST (see member_search.js) and
        # is turned into its keyed hash, so the full value never lands in a URL, a log or history.
        params = request.POST.copy()
        params.pop("csrfmiddlewaretoken", None)
        key = sensitive_search_key(params.get("q", ""))
        if key is not None:
            params.pop("q")
            if request.user.has_perm(SEARCH_PERMISSION):
                params["qk"] = key
            else:
                messages.error(request, "您没有按完整身份证号或手机号查找党员的权限，请按姓名查找")
        return redirect(f"{request.path}?{params.urlencode()}")
    filterset = MemberFilter(request.GET, queryset=selectors.visible_members(request.user), request=request)
    style_filter_form(filterset.form)
    if not request.user.has_perm(SEARCH_PERMISSION):
        filterset.form.fields["q"].label = "姓名"
    page = page_of(request, filterset.qs.only(*MEMBER_LIST_FIELDS))
    # The filter has read the node; name it only inside the user's scope (as visible_to would).
    node = filterset.org_node
    selected = None
    if filterset.form.is_valid() and node is not None and covers(request.user, node.path):
        selected = node
    context = {
        "filter": filterset,
        "page": page,
        "selected": selected,
        "selected_id": str(selected.pk) if selected else "",
        "more_filters": any(request.GET.get(k, "") not in ("", "unknown") for k in MORE_FILTERS),
        "can_write": can_write_anywhere(request.user),
    }
    return render(request, "orgs/member_list.html", context)


def _member_form_page(request: HttpRequest, form: MemberForm, member: Member | None) -> HttpResponse:
    # Changing the organization reloads the 党小组 choices of that organization.
    form.fields["org"].widget.attrs.update(
        {
            "hx-get": request.path,
            "hx-trigger": "change",
            "hx-include": "this",
            "hx-target": "#field-party_group",
            "hx-select": "#field-party_group",
            "hx-swap": "outerHTML",
        }
    )
    return render(request, "orgs/member_form.html", {"form": form, "member": member})


@login_required
def member_create(request: HttpRequest) -> HttpResponse:
    require_writer(request.user)
    form = MemberForm(request.POST or None, user=request.user, org_id=request.GET.get("org"))
    if request.method == "POST" and form.is_valid():
        try:
            member = services.create_member(actor=request.user, data=form.to_member_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已新增党员")
            return redirect("orgs:member_detail", pk=member.pk)
    return _member_form_page(request, form, None)


@login_required
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_for_user(Member.objects.select_related("org", "party_group"), request.user, pk)
    positions = [
        (p, p.is_current and covers(request.user, p.org.path, write=True))
        for p in member.positions.select_related("org").order_by("ended_on", "-started_on")
    ]
    context = {
        "member": member,
        "positions": positions,
        "can_write": covers(request.user, member.org.path, write=True),
    }
    return render(request, "orgs/member_detail.html", context)


@login_required
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_for_user(Member.objects.select_related("org"), request.user, pk, write=True)
    form = MemberForm(request.POST or None, user=request.user, member=member, org_id=request.GET.get("org"))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_member(actor=request.user, member=member, data=form.to_member_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已保存")
            return redirect("orgs:member_detail", pk=member.pk)
    return _member_form_page(request, form, member)


@never_cache
@login_required
def member_unmask(request: HttpRequest, pk: int) -> HttpResponse:
    """The 查看完整信息 fragment: a reason form (GET), then the full values once (POST, audited)."""
    member = get_for_user(Member.objects.select_related("org"), request.user, pk)
    if not request.user.has_perm("orgs.unmask_member"):
        raise PermissionDenied("您没有查看完整个人信息的权限")
    form = UnmaskForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            revealed = services.reveal_member_personal_data(
                actor=request.user, member=member, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return render(
                request, "orgs/partials/unmask_result.html", {"member": member, "revealed": revealed}
            )
    return render(request, "orgs/partials/unmask_form.html", {"member": member, "form": form})


@login_required
def position_create(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_for_user(Member.objects.select_related("org"), request.user, pk, write=True)
    form = PositionForm(request.POST or None, user=request.user, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_position(actor=request.user, member=member, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("orgs:member_detail", pk=member.pk)
    return render(request, "orgs/position_form.html", {"form": form, "member": member})


@login_required
@require_POST
def position_end(request: HttpRequest, pk: int) -> HttpResponse:
    position = get_for_user(Position.objects.select_related("org", "member"), request.user, pk, write=True)
    form = EndPositionForm(request.POST)
    if form.is_valid():
        try:
            services.end_position(
                actor=request.user, position=position, ended_on=form.cleaned_data["ended_on"]
            )
        except ValidationError as exc:
            for text in exc.messages:
                messages.error(request, text)
        else:
            messages.success(request, f"已登记{position.member}离任{position.get_title_display()}")
    else:
        messages.error(request, "请填写有效的离任日期")
    return redirect("orgs:member_detail", pk=position.member_id)
