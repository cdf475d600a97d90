"""HTML forms for organizations, members and positions. They validate input; services save."""

from __future__ import annotations

import copy
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms.renderers import DjangoTemplates
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import conditional_escape

import personal
from orgs.models import Member, Organization, Position
from orgs.selectors import writable_orgs
from orgs.services import ORG_UNIT_FIELDS, MemberData

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OrgChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{'　' * max(obj.depth - 1, 0)}{obj.display_name}（{obj.get_kind_display()}）"


def choice_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    return cast(forms.ModelChoiceField, form.fields[name])


def bootstrap(form: forms.BaseForm) -> None:
    for f in form.fields.values():
        w = f.widget
        if isinstance(w, forms.CheckboxInput):
            w.attrs.setdefault("class", "form-check-input")
        elif isinstance(w, forms.Select):
            w.attrs.setdefault("class", "form-select")
        else:
            w.attrs.setdefault("class", "form-control")


class StyledForm(forms.BaseForm):
    """Bootstrap classes on widgets, and `is-invalid` on any field that gets an error."""

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                w = self.fields[name].widget
                if "is-invalid" not in w.attrs.get("class", ""):
                    w.attrs["class"] = (w.attrs.get("class", "") + " is-invalid").strip()


_WIDGETS = "django/forms/widgets/"
# Widget templates that are only `{% include "django/forms/widgets/input.html" %}`.
_PLAIN_INPUTS = frozenset(f"{_WIDGETS}{name}.html" for name in ("text", "date", "number", "search"))


def _attrs(attrs: dict[str, Any]) -> str:
    """django/forms/widgets/attrs.html."""
    return "".join(
        f" {conditional_escape(name)}" + ("" if value is True else f'="{conditional_escape(value)}"')
        for name, value in attrs.items()
        if value is not False
    )


class QuickWidgetRenderer(DjangoTemplates):
    """Django's own markup for text/date/number inputs and selects, written in Python.

    A filter bar's selects render one included template per option through the template engine,
    milliseconds per page; this writes the same HTML (tests compare the two) and leaves every
    other template, and any option with a template of its own, to the engine.
    """

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        widget = context.get("widget")
        html = None
        if widget is not None and template_name in _PLAIN_INPUTS:
            html = self._input(widget)
        elif widget is not None and template_name == f"{_WIDGETS}select.html":
            html = self._select(widget)
        return super().render(template_name, context, request) if html is None else html

    @staticmethod
    def _input(widget: dict[str, Any]) -> str:
        """django/forms/widgets/input.html."""
        value = "" if widget["value"] is None else f' value="{conditional_escape(widget["value"])}"'
        kind, name = conditional_escape(widget["type"]), conditional_escape(widget["name"])
        return f'<input type="{kind}" name="{name}"{value}{_attrs(widget["attrs"])}>'

    @staticmethod
    def _select(widget: dict[str, Any]) -> str | None:
        """django/forms/widgets/select.html with select_option.html (None: an option has its own)."""
        parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{conditional_escape(localize(group_name))}">')
            for option in options:
                if option["template_name"] != f"{_WIDGETS}select_option.html":
                    return None
                parts.append(
                    f'\n  <option value="{conditional_escape(option["value"])}"{_attrs(option["attrs"])}>'
                    f"{conditional_escape(localize(option['label']))}</option>\n"  # the template's own newline
                )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return "".join(parts)


QUICK_WIDGETS = QuickWidgetRenderer()


def style_filter_form(form: forms.BaseForm) -> forms.BaseForm:
    """Bootstrap look for a FilterSet's form, with date pickers on date fields."""
    for f in form.fields.values():
        if isinstance(f, forms.DateField):
            f.widget.input_type = "date"  # type: ignore[attr-defined]
        elif isinstance(f.widget, forms.NullBooleanSelect):
            f.widget.choices = [("unknown", "全部"), ("true", "是"), ("false", "否")]
    bootstrap(form)
    form.renderer = QUICK_WIDGETS  # the same markup without a template per option
    return form


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's ValidationError next to its fields (unknown fields as form errors)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


ORG_FIELDS = [
    "name",
    "short_name",
    "code",
    "kind",
    "unit_category",
    "unit_situation",
    "secretary_name",
    "contact_name",
    "established_on",
    "has_committee",
    "term_started_on",
    "term_years",
    *ORG_UNIT_FIELDS,
]


class OrganizationForm(StyledForm, forms.ModelForm):
    """基本信息采集表 of an organization. The parent is chosen on creation only (moving is not editing)."""

    parent = OrgChoiceField(queryset=Organization.objects.none(), label="上级组织", required=False)
    contact_phone = forms.CharField(label="联系电话", max_length=20, required=False)

    field_order = ["parent", *ORG_FIELDS[:8], "contact_phone", *ORG_FIELDS[8:]]

    class Meta:
        model = Organization
        fields = ORG_FIELDS
        widgets = {"established_on": DATE, "term_started_on": DATE}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        instance = kwargs.get("instance")
        if instance is not None:
            # Validate on a copy so the service's before/after audit snapshot sees the stored values.
            kwargs["instance"] = copy.copy(instance)
        super().__init__(*args, **kwargs)
        if instance is None:
            parent = choice_field(self, "parent")
            parent.queryset = writable_orgs(user)
            parent.required = not user.is_superuser
            parent.empty_label = "（顶级组织）" if user.is_superuser else "请选择上级组织"
        else:
            del self.fields["parent"]
            current = instance.contact_phone_masked
            self.fields["contact_phone"].help_text = f"当前 {current}，留空则不修改" if current else ""
        bootstrap(self)

    def clean_contact_phone(self) -> str:
        value = self.cleaned_data["contact_phone"].strip()
        if value and not (value.replace("-", "").isdigit() and 7 <= len(value) <= 20):
            raise ValidationError("联系电话应为数字")
        return value

    def service_kwargs(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in ORG_FIELDS}
        phone = self.cleaned_data["contact_phone"]
        if self.instance._state.adding:
            data["parent"] = self.cleaned_data["parent"]
            data["contact_phone"] = phone
        elif phone:
            data["contact_phone"] = phone
        return data


class MemberForm(StyledForm, forms.Form):
    """党员基本信息采集表. ID number and phone are never prefilled; blank on edit keeps the stored value.

    Nor is the birth date: it is part of the ID number (the service checks they agree), and shown beside
    the masked number it would give most of it back. Blank means "as the ID number says".
    """

    name = forms.CharField(label="姓名", max_length=40)
    id_number = forms.CharField(label="公民身份号码", max_length=18, required=False)
    gender = forms.ChoiceField(
        label="性别", choices=[("", "按身份证号")] + Member.Gender.choices, required=False
    )
    birth_date = forms.DateField(label="出生日期", required=False, widget=DATE, help_text="留空则按身份证号")
    ethnicity = forms.CharField(label="民族", max_length=20, initial="汉族")
    education = forms.ChoiceField(
        label="学历", choices=[("", "---------")] + Member.Education.choices, required=False
    )
    category = forms.ChoiceField(label="人员类别", choices=Member.Category.choices)
    joined_on = forms.DateField(label="入党日期", widget=DATE)
    full_member_on = forms.DateField(label="转正日期", required=False, widget=DATE)
    org = OrgChoiceField(queryset=Organization.objects.none(), label="所在党组织")
    party_group = forms.ModelChoiceField(
        queryset=Organization.objects.none(), label="所在党小组", required=False, empty_label="（无）"
    )
    phone = forms.CharField(label="联系电话", max_length=12, required=False)
    occupation = forms.CharField(label="工作岗位", max_length=60, required=False)
    status = forms.ChoiceField(label="党籍状态", choices=Member.Status.choices, initial=Member.Status.NORMAL)
    is_exempt = forms.BooleanField(label="免于参加组织生活（年老体弱）", required=False)
    exempt_reason = forms.CharField(label="免参原因", max_length=120, required=False)

    def __init__(
        self, *args: Any, user: Any, member: Member | None = None, org_id: Any = None, **kwargs: Any
    ):
        self.member = member
        if member is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                name: getattr(member, name)
                for name in (
                    "name",
                    "gender",
                    "ethnicity",
                    "education",
                    "category",
                    "joined_on",
                    "full_member_on",
                    "occupation",
                    "status",
                    "is_exempt",
                    "exempt_reason",
                )
            } | {"org": member.org_id, "party_group": member.party_group_id}
        super().__init__(*args, **kwargs)
        orgs = writable_orgs(user)
        choice_field(self, "org").queryset = orgs
        # 党小组 choices follow the chosen organization (the page reloads them when it changes).
        chosen = self.data.get("org") if self.is_bound else (org_id or self.initial.get("org"))
        groups: QuerySet[Organization] = Organization.objects.none()
        if chosen and str(chosen).isdigit():
            groups = writable_orgs(user, with_groups=True).filter(
                kind=Organization.Kind.GROUP, parent_id=chosen
            )
        choice_field(self, "party_group").queryset = groups
        if org_id and not self.is_bound:
            self.initial["org"] = org_id
        if member is None:
            self.fields["id_number"].required = True
        else:
            self.fields["id_number"].help_text = f"当前 {member.id_number_masked}，留空则不修改"
            if member.phone_masked:
                self.fields["phone"].help_text = f"当前 {member.phone_masked}，留空则不修改"
        bootstrap(self)

    def to_member_data(self) -> MemberData:
        c = self.cleaned_data
        id_number, phone = c["id_number"].strip(), c["phone"].strip()
        if self.member is not None:
            # Blank means unchanged: the stored values go back to the service, never to the page.
            id_number = id_number or personal.decrypt(self.member.id_number_enc)
            phone = phone or personal.decrypt(self.member.phone_enc)
        return MemberData(
            name=c["name"],
            id_number=id_number,
            category=c["category"],
            joined_on=c["joined_on"],
            org=c["org"],
            gender=c["gender"],
            birth_date=c["birth_date"],
            ethnicity=c["ethnicity"].strip() or "汉族",
            education=c["education"],
            full_member_on=c["full_member_on"],
            party_group=c["party_group"],
            phone=phone,
            occupation=c["occupation"],
            status=c["status"],
            is_exempt=c["is_exempt"],
            exempt_reason=c["exempt_reason"],
        )


class PositionForm(StyledForm, forms.Form):
    org = OrgChoiceField(queryset=Organization.objects.none(), label="任职组织", empty_label=None)
    title = forms.ChoiceField(label="职务", choices=Position.Title.choices)
    started_on = forms.DateField(label="任职日期", widget=DATE, initial=timezone.localdate)

    def __init__(self, *args: Any, user: Any, member: Member, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Posts are held in the member's own organization, an ancestor of it, or one of its 党小组.
        own = member.org
        prefixes = [own.path[:i] for i in range(4, len(own.path) + 1, 4)]
        choice_field(self, "org").queryset = (
            writable_orgs(user, with_groups=True).filter(path__in=prefixes)
            | writable_orgs(user, with_groups=True).filter(parent=own, kind=Organization.Kind.GROUP)
        ).order_by("path")
        self.initial.setdefault("org", own.pk)
        bootstrap(self)


class EndPositionForm(StyledForm, forms.Form):
    ended_on = forms.DateField(label="离任日期", widget=DATE, initial=timezone.localdate)


class UnmaskForm(StyledForm, forms.Form):
    reason = forms.CharField(
        label="查看原因",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
