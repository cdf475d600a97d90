"""One FilterSet per list, shared by the pages, the API and the export."""

from typing import Any

import django_filters
from django.db.models import Q, QuerySet

import personal
from audit.models import AuditEvent
from audit.services import record_event
from orgs.models import Member, Organization, Position
from orgs.paths import under_path_q

SEARCH_PERMISSION = "orgs.search_member_number"
NUMBER_SEARCH_EVENT = {
    "id": "按完整身份证号查找党员",
    "phone": "按完整手机号查找党员",
    "key": "按完整身份证号或手机号查找党员",
}


class MemberFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="姓名/身份证号/手机号")
    # The keyed hash of an ID number or phone, so an exact search never puts the value in a URL.
    qk = django_filters.CharFilter(method="filter_qk", label="精确查询键")
    org = django_filters.NumberFilter(method="filter_org", label="所在组织（含下级）")
    category = django_filters.ChoiceFilter(
        choices=Member.Category.choices, label="人员类别", empty_label="全部类别"
    )
    status = django_filters.ChoiceFilter(
        choices=Member.Status.choices, label="党籍状态", empty_label="全部状态"
    )
    gender = django_filters.ChoiceFilter(choices=Member.Gender.choices, label="性别", empty_label="全部性别")
    education = django_filters.ChoiceFilter(
        choices=Member.Education.choices, label="学历", empty_label="全部学历"
    )
    is_exempt = django_filters.BooleanFilter(label="免参组织生活")
    joined_from = django_filters.DateFilter(field_name="joined_on", lookup_expr="gte", label="入党日期起")
    joined_to = django_filters.DateFilter(field_name="joined_on", lookup_expr="lte", label="入党日期止")

    class Meta:
        model = Member
        fields: list[str] = []

    # The node the `org` filter looked up (None: no such node, or no org filter), for the page to
    # name after its own scope check, so it is not read twice.
    org_node: Organization | None = None

    def _may_search_numbers(self) -> bool:
        user = getattr(self.request, "user", None)  # no request (a caller that passed none): no right
        return user is not None and user.has_perm(SEARCH_PERMISSION)

    def _number_search(self, qs: QuerySet[Member], kind: str, q: Q) -> QuerySet[Member]:
        """A search by a full number confirms it: only with its own right, and audited (never the number)."""
        if not self._may_search_numbers():
            return qs.none()  # the same empty answer for the right number and for any guess
        record_event(
            actor=self.request.user,
            action=AuditEvent.Action.UNMASK,
            target_repr=NUMBER_SEARCH_EVENT[kind],
            summary={"search": kind},
        )
        return qs.filter(q)

    def filter_q(self, qs: QuerySet[Member], name: str, value: str) -> QuerySet[Member]:
        value = value.strip()
        if not value:
            return qs
        # Encrypted fields are found only by exact match through their keyed hash.
        kind = personal.number_search_kind(value)
        if kind == "id":
            return self._number_search(qs, kind, Q(id_number_hash=personal.blind_index("id", value.upper())))
        if kind == "phone":
            return self._number_search(qs, kind, Q(phone_hash=personal.blind_index("phone", value)))
        return qs.filter(name__contains=value)

    def filter_qk(self, qs: QuerySet[Member], name: str, value: str) -> QuerySet[Member]:
        value = value.strip()
        if not value:
            return qs
        return self._number_search(qs, "key", Q(id_number_hash=value) | Q(phone_hash=value))

    def filter_org(self, qs: QuerySet[Member], name: str, value: Any) -> QuerySet[Member]:
        self.org_node = Organization.objects.filter(pk=value).first()
        if self.org_node is None:
            return qs.none()
        return qs.filter(under_path_q(self.org_node.path, "org__path"))


def sensitive_search_key(value: str) -> str | None:
    """The qk for a search term that is an ID number or a phone, else None."""
    value = value.strip()
    kind = personal.number_search_kind(value)
    if kind == "id":
        return personal.blind_index("id", value.upper())
    if kind == "phone":
        return personal.blind_index("phone", value)
    return None


class OrganizationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="名称/代码")
    kind = django_filters.ChoiceFilter(
        choices=Organization.Kind.choices, label="组织类别", empty_label="全部类别"
    )
    unit_category = django_filters.ChoiceFilter(
        choices=Organization.UnitCategory.choices, label="单位类别", empty_label="全部单位类别"
    )
    under = django_filters.NumberFilter(method="filter_under", label="上级组织（含下级）")

    class Meta:
        model = Organization
        fields: list[str] = []

    def filter_q(self, qs: QuerySet[Organization], name: str, value: str) -> QuerySet[Organization]:
        value = value.strip()
        if not value:
            return qs
        return qs.filter(Q(name__contains=value) | Q(short_name__contains=value) | Q(code=value))

    def filter_under(self, qs: QuerySet[Organization], name: str, value: Any) -> QuerySet[Organization]:
        path = Organization.objects.filter(pk=value).values_list("path", flat=True).first()
        if path is None:
            return qs.none()
        return qs.filter(under_path_q(path))


class PositionFilter(django_filters.FilterSet):
    """The posts page and /api/v1/positions/: by organization (with its subtree), title, in office."""

    org = django_filters.NumberFilter(method="filter_org", label="组织（含下级）")
    title = django_filters.ChoiceFilter(choices=Position.Title.choices, label="职务", empty_label="全部职务")
    current = django_filters.BooleanFilter(method="filter_current", label="仅在任")

    class Meta:
        model = Position
        fields: list[str] = []

    def filter_org(self, qs: QuerySet[Position], name: str, value: Any) -> QuerySet[Position]:
        node = Organization.objects.filter(pk=value).first()
        return qs.filter(under_path_q(node.path, "org__path")) if node else qs.none()

    def filter_current(self, qs: QuerySet[Position], name: str, value: Any) -> QuerySet[Position]:
        return qs.filter(ended_on__isnull=value)
