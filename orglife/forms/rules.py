"""The new rule-set version form: the settings, and one row per meeting type. Forms validate; services save."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from orglife.models import MeetingRule, MeetingType, PeriodKind, RuleSet
from orglife.periods import parse_month
from orglife.services.rules import SETTING_FIELDS, RuleData
from orgs.forms import StyledForm, bootstrap


class MonthField(forms.CharField):
    """A month picker (<input type="month">) giving the first day of that month."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"})

    def to_python(self, value: Any) -> dt.date | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            return parse_month(text)
        except ValueError as exc:
            raise ValidationError("请选择月份，格式为 YYYY-MM") from exc

    def prepare_value(self, value: Any) -> Any:
        return f"{value:%Y-%m}" if isinstance(value, dt.date) else value


class RuleSetForm(StyledForm, forms.ModelForm):
    effective_from = MonthField(label="生效月份", help_text="自该月1日起适用；不能早于本月")

    class Meta:
        model = RuleSet
        fields = ["effective_from", "document", "note", *SETTING_FIELDS]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)

    def validate_unique(self) -> None:
        """Uniqueness of the month is the service's rule (with its own message)."""

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "effective_from": data["effective_from"],
            "document": data["document"],
            "note": data["note"],
            "values": {name: data[name] for name in SETTING_FIELDS},
        }


class MeetingRuleForm(StyledForm, forms.Form):
    meeting_type = forms.ChoiceField(choices=MeetingType.choices, widget=forms.HiddenInput)
    period = forms.ChoiceField(label="周期", choices=PeriodKind.choices)
    min_count = forms.IntegerField(label="次数", min_value=1, max_value=31)
    applies_to = forms.ChoiceField(label="适用范围", choices=MeetingRule.AppliesTo.choices)
    soft = forms.BooleanField(label="一般性要求", required=False)
    source = forms.CharField(label="依据", max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)

    @property
    def type_label(self) -> str:
        value = self["meeting_type"].value()
        return MeetingType(value).label if value in MeetingType.values else ""

    def rule_data(self) -> RuleData:
        d = self.cleaned_data
        return RuleData(
            d["meeting_type"], d["period"], d["min_count"], d["applies_to"], d["soft"], d["source"]
        )


RuleFormSet = forms.formset_factory(MeetingRuleForm, extra=0, min_num=len(MeetingType.values), max_num=20)
