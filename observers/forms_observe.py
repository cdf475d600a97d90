"""Forms of the observation pages: they only parse and validate; observers.services.observe does the work."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from observers.models import EvaluationItem, Observation
from observers.services.observe import CORRECTION_DAYS
from orglife.models import MeetingRecord
from orglife.periods import local_today

BIG = {"class": "form-control form-control-lg"}


class SignUpForm(forms.Form):
    kind = forms.ChoiceField(
        label="观察方式",
        choices=Observation.Kind.choices,
        initial=Observation.Kind.DESIGNATED,
        widget=forms.Select(attrs={"class": "form-select form-select-lg"}),
    )


class RecordChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        from django.utils import timezone

        return (
            f"{timezone.localtime(obj.started_at):%m-%d %H:%M} {obj.get_meeting_type_display()} · {obj.topic}"
        )


class EvaluationForm(forms.Form):
    """《党内组织生活观察质量评价表》: one score per active item, then the overall grade and the finding."""

    grade = forms.ChoiceField(
        label="总体评价",
        choices=Observation.Grade.choices,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
    )
    problems = forms.CharField(
        label="发现的问题",
        required=False,
        widget=forms.Textarea(attrs={**BIG, "rows": 4, "placeholder": "每行一条"}),
    )
    record = RecordChoiceField(
        label="对应的会议记录",
        queryset=MeetingRecord.objects.none(),
        required=False,
        empty_label="（支部尚未登记该会议记录）",
        widget=forms.Select(attrs={"class": "form-select form-select-lg"}),
    )
    finding = forms.ChoiceField(
        label="处理方式", choices=Observation.Finding.choices, initial=Observation.Finding.NONE,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
    )  # fmt: skip
    finding_note = forms.CharField(
        label="处理情况 / 原因",
        required=False,
        widget=forms.Textarea(
            attrs={**BIG, "rows": 2, "placeholder": "现场提醒的内容，或要求重新召开的原因"}
        ),
    )
    deadline = forms.DateField(
        label="整改期限（责令纠正时）",
        required=False,
        widget=forms.DateInput(attrs={**BIG, "type": "date"}),
    )

    def __init__(self, *args: Any, items: list[EvaluationItem], records: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        self.fields["record"].queryset = records  # type: ignore[attr-defined]
        score_fields = {
            f"score_{item.pk}": forms.IntegerField(
                label=item.name,
                min_value=0,
                max_value=item.max_score,
                help_text=item.guidance,
                widget=forms.NumberInput(
                    attrs={**BIG, "inputmode": "numeric", "min": 0, "max": item.max_score, "step": 1}
                ),
                error_messages={
                    "required": f"请为“{item.name}”打分",
                    "min_value": f"“{item.name}”的得分应在 0–{item.max_score} 之间",
                    "max_value": f"“{item.name}”的得分应在 0–{item.max_score} 之间",
                },
            )
            for item in items
        }
        self.fields = {**score_fields, **self.fields}  # type: ignore[assignment]
        if not self.is_bound:
            self.initial.setdefault("deadline", local_today() + dt.timedelta(days=CORRECTION_DAYS))

    def score_fields(self) -> list[Any]:
        return [(item, self[f"score_{item.pk}"]) for item in self.items]

    def scores(self) -> dict[int, int]:
        return {item.pk: self.cleaned_data[f"score_{item.pk}"] for item in self.items}


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label="对观察员的评价",
        coerce=int,
        choices=[(5, "5 很满意"), (4, "4 满意"), (3, "3 一般"), (2, "2 不太满意"), (1, "1 不满意")],
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
    )
    comment = forms.CharField(
        label="意见", required=False, max_length=300, widget=forms.Textarea(attrs={**BIG, "rows": 2})
    )
