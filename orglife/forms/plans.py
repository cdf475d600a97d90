"""Plan forms: one row per planned meeting (a formset, rows added by htmx), and the return reason."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms

from orglife.models import MeetingType
from orglife.periods import add_months
from orglife.rules import groups_of
from orglife.services.plans import PlanItemData
from orgs.forms import StyledForm, bootstrap
from orgs.models import Organization

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PREFIX = "items"


class GroupChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.display_name


class PlanItemForm(StyledForm, forms.Form):
    """One planned meeting. Only the shape is checked here; completeness is checked on submission."""

    meeting_type = forms.ChoiceField(label="会议类型", choices=[("", "请选择"), *MeetingType.choices])
    group = GroupChoiceField(label="党小组", queryset=Organization.objects.none(), required=False)
    planned_on = forms.DateField(label="计划日期", required=False, widget=DATE)
    place = forms.CharField(label="地点", max_length=120, required=False)
    topic = forms.CharField(label="主题/议题", max_length=200, required=False)
    host_name = forms.CharField(label="主持人", max_length=40, required=False)
    lecturer_name = forms.CharField(label="党课主讲人", max_length=40, required=False)
    note = forms.CharField(label="备注", max_length=500, required=False)
    # Shown as the 必开 badge; the service decides what is required, so a forged value changes nothing.
    required = forms.BooleanField(required=False, widget=forms.HiddenInput)
    hint = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        org: Organization,
        month: dt.date,
        groups: list[Organization] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.month = month
        group = self.fields["group"]
        assert isinstance(group, forms.ModelChoiceField)
        group.queryset = Organization.objects.filter(pk__in=[g.pk for g in groups or groups_of(org)])
        group.empty_label = "（不限）"
        last = add_months(month, 1) - dt.timedelta(days=1)
        self.fields["planned_on"].widget.attrs.update({"min": f"{month:%Y-%m-%d}", "max": f"{last:%Y-%m-%d}"})
        bootstrap(self)

    @property
    def type_label(self) -> str:
        value = self["meeting_type"].value()
        return MeetingType(value).label if value in MeetingType.values else ""

    def clean_planned_on(self) -> dt.date | None:
        value = self.cleaned_data["planned_on"]
        if value is not None and (value.year, value.month) != (self.month.year, self.month.month):
            raise forms.ValidationError(f"应在{self.month:%Y年%m月}内")
        return value

    def item_data(self) -> PlanItemData:
        d = self.cleaned_data
        return PlanItemData(
            meeting_type=d["meeting_type"],
            group=d["group"],
            planned_on=d["planned_on"],
            place=d["place"],
            topic=d["topic"],
            host_name=d["host_name"],
            lecturer_name=d["lecturer_name"],
            note=d["note"],
        )


class BasePlanItemFormSet(forms.BaseFormSet):
    def items(self) -> list[PlanItemData]:
        return [
            form.item_data()
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]


PlanItemFormSet = forms.formset_factory(
    PlanItemForm, formset=BasePlanItemFormSet, extra=0, can_delete=True, max_num=60, validate_max=True
)


def item_formset(
    org: Organization, month: dt.date, *, data: Any = None, initial: list[PlanItemData] | None = None
) -> BasePlanItemFormSet:
    groups = groups_of(org)
    rows = [
        {
            "meeting_type": i.meeting_type,
            "group": i.group.pk if i.group else None,
            "planned_on": i.planned_on,
            "place": i.place,
            "topic": i.topic,
            "host_name": i.host_name,
            "lecturer_name": i.lecturer_name,
            "note": i.note,
            "required": i.required,
            "hint": i.hint,
        }
        for i in initial or []
    ]
    formset = PlanItemFormSet(
        data, prefix=PREFIX, initial=rows or None, form_kwargs={"org": org, "month": month, "groups": groups}
    )
    for form in formset.forms:
        delete = form.fields.get("DELETE")
        if delete is not None:
            delete.label = "删除"
            delete.widget.attrs["class"] = "xf-del-check visually-hidden"
    return cast(BasePlanItemFormSet, formset)


def blank_item_form(org: Organization, month: dt.date, index: int) -> PlanItemForm:
    """The row htmx adds: a form named like the formset's index-th form."""
    form = PlanItemForm(prefix=f"{PREFIX}-{index}", org=org, month=month, initial={"meeting_type": ""})
    form.fields["DELETE"] = forms.BooleanField(label="删除", required=False)
    form.fields["DELETE"].widget.attrs["class"] = "xf-del-check visually-hidden"
    return form


class ReturnForm(StyledForm, forms.Form):
    reason = forms.CharField(label="退回原因", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)
