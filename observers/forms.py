"""Forms of the selection, roster, planner and observation pages. They parse and validate input only; the
services save."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils import timezone

from observers.models import Candidate, EvaluationItem, Observation, Observer, ReviewOpinion, ReviewUnit
from observers.services.observe import CORRECTION_DAYS
from orglife.models import MeetingRecord
from orglife.periods import local_today
from orgs.forms import DATE, OrgChoiceField, StyledForm, bootstrap
from orgs.models import Organization


class CandidateForm(StyledForm, forms.Form):
    committee = OrgChoiceField(queryset=Organization.objects.none(), label="所属党(工)委", empty_label=None)
    source = forms.ChoiceField(label="产生方式", choices=Candidate.Source.choices)
    party_work_years = forms.DecimalField(
        label="党务工作年限（年）",
        min_value=0,
        max_digits=4,
        decimal_places=1,
        help_text=f"须具有{settings.OBSERVER_MIN_PARTY_WORK_YEARS}年以上党务工作经验",
    )
    background = forms.CharField(
        label="简历及党务工作经历", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, committees: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["committee"].queryset = committees  # type: ignore[attr-defined]
        bootstrap(self)


class OpinionForm(StyledForm, forms.Form):
    unit = forms.ModelChoiceField(queryset=ReviewUnit.objects.filter(is_active=True), label="审查单位")
    opinion = forms.ChoiceField(
        label="审查意见",
        choices=ReviewOpinion.Opinion.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    note = forms.CharField(
        label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="有异议时必填"
    )
    reviewer_name = forms.CharField(label="审查人", required=False, max_length=40)

    def __init__(self, *args: Any, units: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        for name in ("unit", "note", "reviewer_name"):
            w = self.fields[name].widget
            w.attrs.setdefault("class", "form-select" if name == "unit" else "form-control")


class AppointForm(StyledForm, forms.Form):
    appointed_on = forms.DateField(label="聘任日期", widget=DATE)
    username = forms.CharField(
        label="登录用户名",
        required=False,
        max_length=150,
        help_text="留空则自动生成；该党员已有账号时直接关联",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"appointed_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        bootstrap(self)


class StatusForm(StyledForm, forms.Form):
    status = forms.ChoiceField(label="状态", choices=Observer.Status.choices)
    note = forms.CharField(label="说明", required=False, max_length=200, help_text="暂停或退出须写明原因")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)


class TrainingForm(StyledForm, forms.Form):
    held_on = forms.DateField(label="培训日期", widget=DATE)
    title = forms.CharField(label="培训内容", max_length=200)
    hours = forms.DecimalField(label="学时", min_value=0, max_digits=4, decimal_places=1, initial=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)


class YearForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100)


def half_choices(today: dt.date | None = None) -> list[tuple[str, str]]:
    today = today or timezone.localdate()
    out = []
    for year in (today.year - 1, today.year, today.year + 1):
        out += [(f"{year}-01-01", f"{year}年上半年"), (f"{year}-07-01", f"{year}年下半年")]
    return out


class ProposeForm(StyledForm, forms.Form):
    committee = OrgChoiceField(queryset=Organization.objects.none(), label="分配范围", empty_label=None)
    half_start = forms.TypedChoiceField(label="半年", choices=(), coerce=lambda v: dt.date.fromisoformat(v))
    seed = forms.IntegerField(label="随机种子", required=False, min_value=0, help_text="留空则按半年固定生成")
    cross_pairs = forms.CharField(
        label="交叉观察配对",
        required=False,
        help_text="可选：两个党(工)委的组织ID用“-”连接，多对用逗号分隔，如 12-15, 20-31",
    )

    def __init__(self, *args: Any, committees: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["committee"].queryset = committees  # type: ignore[attr-defined]
        self.fields["half_start"].choices = half_choices()  # type: ignore[attr-defined]
        bootstrap(self)

    def clean_cross_pairs(self) -> list[list[int]]:
        text = (self.cleaned_data.get("cross_pairs") or "").replace("，", ",").replace(" ", "")
        pairs = []
        for chunk in filter(None, text.split(",")):
            parts = chunk.split("-")
            if len(parts) != 2 or not all(p.isdigit() for p in parts):
                raise forms.ValidationError(f"“{chunk}”格式有误，应为 组织ID-组织ID")
            pairs.append([int(parts[0]), int(parts[1])])
        return pairs


class MoveForm(StyledForm, forms.Form):
    branch = forms.IntegerField(widget=forms.HiddenInput)
    observer = forms.ModelChoiceField(queryset=Observer.objects.none(), label="改由")

    def __init__(self, *args: Any, observers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["observer"].queryset = observers  # type: ignore[attr-defined]
        field = cast(forms.ModelChoiceField, self.fields["observer"])
        field.label_from_instance = lambda o: f"{o.member.name}（{o.committee.display_name}）"  # type: ignore[method-assign,assignment]
        bootstrap(self)


# ---------------------------------------------------------------- observation pages

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
        label="处理方式",
        choices=Observation.Finding.choices,
        initial=Observation.Finding.NONE,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
    )
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
