"""公示 (D-22) pages of a person: the notices with the 反映意见 received (recorded and closed by the
branch), and each notice as a printable page."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import User
from development.forms import ObjectionForm, ResolveObjectionForm
from development.models import Notice, NoticeObjection, Person
from development.services import notices
from orgs.access import covers, get_for_user, own_member_id
from orgs.forms import add_service_errors
from orgs.models import Member, Organization


def _person(request: HttpRequest, pk: int, *, write: bool = False) -> Person:
    return get_for_user(Person.objects.select_related("org"), request.user, pk, write=write)


def _open_kinds(person: Person) -> list[str]:
    return [k.value for k in Notice if notices.open_to_objections(person, k)]


def _page(
    request: HttpRequest,
    person: Person,
    *,
    add_form: ObjectionForm | None = None,
    failed: tuple[int, ResolveObjectionForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    can_write = covers(request.user, person.org.path, write=True)
    open_kinds = _open_kinds(person)
    today = timezone.localdate()
    items: list[dict[str, Any]] = []
    for o in person.objections.select_related("recorded_by", "resolved_by").order_by("received_on", "id"):
        form = None
        if can_write and o.is_open:
            form = failed[1] if failed and failed[0] == o.pk else ResolveObjectionForm(prefix=f"o{o.pk}")
        items.append({"o": o, "form": form})
    if can_write and open_kinds and add_form is None:
        add_form = ObjectionForm(notices=open_kinds, initial={"received_on": today, "notice": open_kinds[-1]})
    context = {
        "p": person,
        "notices": notices.notices_of(person),
        "items": items,
        "add_form": add_form if can_write and open_kinds else None,
        "can_write": can_write,
        "open_failed": failed[0] if failed else None,
    }
    return render(request, "development/notices.html", context, status=status)


@login_required
def notice_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _person(request, pk))


@login_required
@require_POST
def objection_add(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk, write=True)
    form = ObjectionForm(request.POST, notices=_open_kinds(person))
    if form.is_valid():
        try:
            notices.record_objection(actor=cast(User, request.user), person=person, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已登记反映意见，办结前不能办理公示后的下一步")
            return redirect("development:notices", pk=person.pk)
    return _page(request, person, add_form=form, status=400)


@login_required
@require_POST
def objection_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    objection = get_for_user(
        NoticeObjection.objects.select_related("person__org"), request.user, pk, write=True
    )
    form = ResolveObjectionForm(request.POST, prefix=f"o{objection.pk}")
    if form.is_valid():
        try:
            notices.resolve_objection(
                actor=cast(User, request.user), objection=objection, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"反映意见已办结：{objection.get_outcome_display()}")
            return redirect("development:notices", pk=objection.person_id)
    return _page(request, objection.person, failed=(objection.pk, form), status=400)


@login_required
def notice_print(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """The notice as posted on the branch's board: the person's public particulars and the period."""
    person = _person(request, pk)
    found = [n for n in notices.notices_of(person) if n.kind == kind]
    if not found:
        raise Http404("该同志没有这项公示")
    return render(request, "development/notice_print.html", {"p": person, "n": found[0]})


def _board_org(request: HttpRequest, org_pk: int) -> Organization:
    """The node whose board is asked for: anyone who may read the node, or a party member of it (公示 is posted
    for the members); everyone else gets a 404."""
    org = Organization.objects.filter(pk=org_pk).first()
    if org is not None and covers(request.user, org.path):
        return org
    member_id = own_member_id(request.user)
    if org is not None and member_id is not None:
        member = Member.objects.filter(pk=member_id).select_related("org").first()
        # their own branch (a 党小组's member: the branch above the group)
        if member is not None and org.pk in (
            member.org_id,
            member.org.parent_id if member.org.kind == Organization.Kind.GROUP else None,
        ):
            return org
    raise Http404("没有找到该党组织")


@login_required
def disclosure(request: HttpRequest, org_pk: int) -> HttpResponse:
    """党务公开 · 发展党员公示: the notices of the people developed under a node, as posted on its board."""
    org = _board_org(request, org_pk)
    entries = notices.board_of(org.path, timezone.localdate())
    return render(
        request,
        "development/disclosure.html",
        {"org": org, "entries": entries, "can_read_people": covers(request.user, org.path)},
    )


urlpatterns = [
    path("disclosure/<int:org_pk>/", disclosure, name="disclosure"),
    path("<int:pk>/notices/", notice_page, name="notices"),
    path("<int:pk>/notices/objections/", objection_add, name="objection_add"),
    path("<int:pk>/notices/<slug:kind>/print/", notice_print, name="notice_print"),
    path("objection/<int:pk>/resolve/", objection_resolve, name="objection_resolve"),
]
