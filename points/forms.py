"""HTML forms of the points pages. They validate input; services save."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from orgs.forms import DATE, StyledForm, bootstrap
from orgs.models import Member
from points.models import Block, PointRule, RuleVersion
from points.services.catalogue import RULE_FIELDS, VERSION_FIELDS

MAX_EVIDENCE = 10 * 1024 * 1024
EVIDENCE_TYPES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic", ".pdf", ".doc", ".docx", ".xlsx", ".txt")


def _year_choices() -> list[tuple[int, str]]:
    this = timezone.localdate().year
    return [(y, f"{y}年") for y in range(this, this - 6, -1)]


class EvidenceField(forms.FileField):
    def clean(self, data: Any, initial: Any = None) -> Any:
        upload = super().clean(data, initial)
        if upload and hasattr(upload, "size"):
            if upload.size > MAX_EVIDENCE:
                raise forms.ValidationError(f"文件不能超过 {filesizeformat(MAX_EVIDENCE)}")
            if not upload.name.lower().endswith(EVIDENCE_TYPES):
                raise forms.ValidationError("请上传图片、PDF、Word、Excel 或文本文件")
        return upload


class DeclarationForm(StyledForm, forms.Form):
    """个人申报 (also 计分员代为记录 when `members` is given)."""

    member = forms.ModelChoiceField(queryset=Member.objects.none(), label="党员", required=False)
    rule = forms.ChoiceField(label="积分项目")
    occurred_on = forms.DateField(label="发生日期", widget=DATE)
    description = forms.CharField(label="情况说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    evidence_link = forms.CharField(label="关联记录/链接", required=False, max_length=300)
    evidence_file = EvidenceField(
        label="佐证材料（照片或文件）",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*,.pdf,.doc,.docx"}),
    )
    # Made when the form is first shown and sent back with it: a resend (a retry, a double tap) is stored once.
    client_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args: Any, rules: list[PointRule], members: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("occurred_on", timezone.localdate())
        kwargs["initial"].setdefault("client_key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = [("", "请选择")] + [  # type: ignore[attr-defined]
            (r.code, f"{r.block.name} · {r.name}（{r.points}分{'，' + r.caps_text if r.caps_text else ''}）")
            for r in rules
        ]
        if members is None:
            del self.fields["member"]
        else:
            self.fields["member"].queryset = members  # type: ignore[attr-defined]
            self.fields["member"].required = True
        bootstrap(self)


class ResubmitForm(StyledForm, forms.Form):
    occurred_on = forms.DateField(label="发生日期", widget=DATE)
    description = forms.CharField(label="情况说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    evidence_link = forms.CharField(label="关联记录/链接", required=False, max_length=300)
    evidence_file = EvidenceField(label="佐证材料（不选则保留原文件）", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)


class ReasonForm(StyledForm, forms.Form):
    reason = forms.CharField(label="原因", max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)


class ConfirmQuarterForm(StyledForm, forms.Form):
    remarks = forms.CharField(label="讲评意见", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)


class NoticeForm(StyledForm, forms.Form):
    org = forms.ChoiceField(label="公示范围")
    month = forms.CharField(label="月份", widget=forms.DateInput(attrs={"type": "month"}))
    note = forms.CharField(label="说明", required=False, max_length=200)

    def __init__(self, *args: Any, orgs: Any, **kwargs: Any) -> None:
        last = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
        kwargs.setdefault("initial", {}).setdefault("month", f"{last:%Y-%m}")
        super().__init__(*args, **kwargs)
        self.fields["org"].choices = [  # type: ignore[attr-defined]
            (o.pk, f"{'　' * max(o.depth - 1, 0)}{o.display_name}") for o in orgs
        ]
        bootstrap(self)

    def clean_month(self) -> tuple[int, int]:
        try:
            year, month = (int(x) for x in self.cleaned_data["month"].split("-"))
            dt.date(year, month, 1)
        except ValueError:
            raise forms.ValidationError("请选择月份") from None
        return year, month


class ObjectionForm(StyledForm, forms.Form):
    about = forms.ModelChoiceField(queryset=Member.objects.none(), label="涉及党员", required=False)
    text = forms.CharField(label="异议内容", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["about"].queryset = members  # type: ignore[attr-defined]
        bootstrap(self)


class AnswerForm(StyledForm, forms.Form):
    answer = forms.CharField(label="答复", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)


class InterviewForm(StyledForm, forms.Form):
    held_on = forms.DateField(label="约谈日期", widget=DATE)
    interviewer = forms.CharField(label="约谈人", max_length=40)
    notes = forms.CharField(label="约谈情况", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("held_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        bootstrap(self)


class YearForm(forms.Form):
    year = forms.TypedChoiceField(label="年度", coerce=int, required=False)
    org = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = _year_choices()  # type: ignore[attr-defined]
        bootstrap(self)

    def selected_year(self) -> int:
        if self.is_valid() and self.cleaned_data.get("year"):
            return int(self.cleaned_data["year"])
        return timezone.localdate().year


class VersionForm(StyledForm, forms.ModelForm):
    class Meta:
        model = RuleVersion
        fields = VERSION_FIELDS
        widgets = {"effective_from": DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)


class RuleForm(StyledForm, forms.ModelForm):
    class Meta:
        model = PointRule
        fields = RULE_FIELDS
        widgets = {"active_from": DATE, "active_to": DATE}

    def __init__(self, *args: Any, version: RuleVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["block"].queryset = Block.objects.filter(version=version)  # type: ignore[attr-defined]
        bootstrap(self)

    def validate_unique(self) -> None:  # the service checks code uniqueness inside the version
        pass


class NewVersionForm(StyledForm, forms.Form):
    effective_from = forms.DateField(label="生效日期", widget=DATE)
    note = forms.CharField(label="修订说明", max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)
