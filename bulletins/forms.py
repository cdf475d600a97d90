"""HTML forms of the 信息报送 pages. They validate input; services save."""

from __future__ import annotations

from typing import Any

from django import forms

from bulletins import defaults
from bulletins.models import Article, Journal
from orglife.models import MeetingRecord
from orgs.forms import DATE, OrgChoiceField, StyledForm, bootstrap
from orgs.models import Organization


class RecordChoiceField(forms.ModelChoiceField[MeetingRecord]):
    def label_from_instance(self, obj: MeetingRecord) -> str:
        return f"{obj.started_at:%Y-%m-%d} {obj.org.short_name or obj.org.name} {obj.get_meeting_type_display()}：{obj.topic}"


class ArticleForm(StyledForm, forms.Form):
    org = OrgChoiceField(
        queryset=Organization.objects.none(),
        label="报送单位",
        error_messages={"required": "请选择报送单位", "invalid_choice": "请选择您负责报送的单位"},
    )
    title = forms.CharField(label="标题", max_length=120, error_messages={"required": "请填写标题"})
    byline = forms.CharField(
        label="署名单位",
        max_length=60,
        help_text="文末括注，如：桐城市委组织部",
        error_messages={"required": "请填写署名单位，如：桐城市委组织部"},
    )
    author_name = forms.CharField(label="作者", max_length=40, required=False)
    category = forms.ChoiceField(label="类别", required=False)
    body = forms.CharField(
        label="正文",
        widget=forms.Textarea(attrs={"rows": 14, "data-richtext": "1"}),
        max_length=200_000,
        error_messages={"required": "请填写正文"},
        help_text="每段一行；可从 Word 粘贴，保存时只保留段落、小标题和加粗。",
    )
    record = RecordChoiceField(
        queryset=MeetingRecord.objects.none(),
        label="相关组织生活纪实",
        required=False,
        empty_label="（无）",
        help_text="报道某次已审核的组织生活时可选，编辑可据此核对",
        error_messages={"invalid_choice": "请选择列表中的组织生活纪实"},
    )

    def __init__(self, *args: Any, units: Any, records: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = units  # type: ignore[attr-defined]
        self.fields["record"].queryset = (  # type: ignore[attr-defined]
            records if records is not None else MeetingRecord.objects.none()
        )
        self.fields["category"].choices = [("", "—"), *((c, c) for c in defaults.CATEGORIES)]  # type: ignore[attr-defined]
        bootstrap(self)


class EditorEditForm(StyledForm, forms.Form):
    title = forms.CharField(label="标题", max_length=120)
    body = forms.CharField(
        label="正文", widget=forms.Textarea(attrs={"rows": 14, "data-richtext": "1"}), max_length=200_000
    )
    note = forms.CharField(label="修改说明", max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)


class ReturnForm(StyledForm, forms.Form):
    reason = forms.CharField(label="退回意见", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)


class AdoptForm(StyledForm, forms.Form):
    adoption = forms.ChoiceField(label="采用方式", choices=Article.Adoption.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)


class IssueForm(StyledForm, forms.Form):
    journal = forms.ModelChoiceField(queryset=Journal.objects.none(), label="刊物")
    issue_date = forms.DateField(label="日期", widget=DATE)
    leader_box = forms.BooleanField(label="首页留领导批示栏", required=False, initial=True)

    def __init__(self, *args: Any, journals: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["journal"].queryset = journals  # type: ignore[attr-defined]
        bootstrap(self)


class PlaceForm(StyledForm, forms.Form):
    article = forms.IntegerField(widget=forms.HiddenInput)
    section = forms.CharField(label="栏目", max_length=20)


class CorrectionForm(StyledForm, forms.Form):
    issue_date = forms.DateField(label="日期", widget=DATE)
    notice = forms.CharField(label="更正内容", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)


class QuotaForm(StyledForm, forms.Form):
    org = forms.IntegerField(widget=forms.HiddenInput)
    per_person_week = forms.IntegerField(label="每名信息员每周（篇）", min_value=0, max_value=50)
    per_unit_month = forms.IntegerField(label="每个单位每月（篇）", min_value=0, max_value=500)
