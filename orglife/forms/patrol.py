"""Forms for 巡查 and 整改 pages. They validate input only; orglife.services.patrol saves."""

from __future__ import annotations

from typing import Any

from django import forms

from orglife.models import PatrolCheck, Rectification
from orgs.forms import DATE, StyledForm, bootstrap
from orgs.models import Organization


class MonthField(forms.DateField):
    """<input type="month"> (YYYY-MM) as the first day of the month."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m", "%Y-%m-%d"]


class DrawForm(StyledForm, forms.Form):
    month = MonthField(label="抽查月份")
    root: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=Organization.objects.none(), label="抽查范围", empty_label=None
    )
    seed = forms.IntegerField(
        label="随机种子", required=False, min_value=0, help_text="留空则按范围和月份固定生成"
    )

    def __init__(self, *args: Any, roots: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["root"].queryset = roots  # type: ignore[attr-defined]
        self.fields["root"].label_from_instance = lambda o: o.display_name  # type: ignore[attr-defined]
        bootstrap(self)


class RatingForm(StyledForm, forms.Form):
    rating = forms.ChoiceField(
        label="评价",
        choices=PatrolCheck.Rating.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    reasons = forms.MultipleChoiceField(
        label="存在问题",
        required=False,
        choices=[(r, r) for r in PatrolCheck.REASONS],
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    comment = forms.CharField(label="意见", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["comment"].widget.attrs["class"] = "form-control"


class ReholdForm(StyledForm, forms.Form):
    reason = forms.CharField(label="要求重新召开的原因", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)


class RectificationForm(StyledForm, forms.Form):
    title = forms.CharField(label="整改事项", max_length=200)
    items = forms.CharField(
        label="问题及整改要求",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="每行一条",
    )
    deadline = forms.DateField(label="整改期限", widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)

    def item_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["items"].splitlines() if line.strip()]


class EvidenceForm(StyledForm, forms.Form):
    """One textarea per rectification item, plus an overall note."""

    note = forms.CharField(label="整改情况说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, rectification: Rectification, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = list(rectification.items.all())
        for item in self.items:
            self.fields[f"item_{item.pk}"] = forms.CharField(
                label=item.text,
                initial=item.evidence,
                widget=forms.Textarea(attrs={"rows": 2}),
                error_messages={"required": "请填写该项的整改佐证"},
            )
        bootstrap(self)

    def evidence(self) -> dict[int, str]:
        return {item.pk: self.cleaned_data[f"item_{item.pk}"] for item in self.items}


class ReasonForm(StyledForm, forms.Form):
    reason = forms.CharField(label="退回原因", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)
