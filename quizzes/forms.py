"""The bank's and campaigns' forms: they parse and validate what was typed; the services save."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils import timezone

from orgs.models import Position
from quizzes.models import Campaign, Category, Difficulty, Question
from quizzes.services import QuestionData
from quizzes.services.imports import answer_text, parse_answer

QUOTA_ROWS = 4


class CategoryChoice(forms.ModelChoiceField):
    """Categories by their full name (党的理论 › 党章), with the bank's node when `with_org`."""

    def __init__(self, *args: Any, with_org: bool = False, **kwargs: Any) -> None:
        self.with_org = with_org
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.org.short_name or obj.org.name}：{obj.label()}" if self.with_org else obj.label()


DIFFICULTY_ANY = [("", "不限难度"), *Difficulty.choices]


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label="题型", choices=Question.Kind.choices)
    category = CategoryChoice(label="分类", queryset=Category.objects.none(), with_org=True)
    stem = forms.CharField(label="题干", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    options = forms.CharField(
        label="选项",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="每行一个选项，依次为 A、B、C……；判断题、填空题不填",
    )
    answer = forms.CharField(
        label="正确答案",
        max_length=500,
        help_text="单选填 A；多选填 ACD；判断填 正确/错误；填空各空用“；”分隔，同一空的多个答案用“|”分隔",
    )
    difficulty = forms.TypedChoiceField(label="难度", choices=Difficulty.choices, coerce=int, initial=2)
    tags = forms.CharField(label="标签", required=False, max_length=200, help_text="多个标签用空格分隔")
    explanation = forms.CharField(label="解析", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    source = forms.CharField(
        label="出处", required=False, max_length=200, help_text="如：《中国共产党章程》第十条"
    )

    def __init__(self, *args: Any, categories: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories  # type: ignore[attr-defined]
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    @staticmethod
    def initial_for(question: Question) -> dict[str, Any]:
        v = question.current
        assert v is not None
        return {
            "kind": question.kind,
            "category": question.category_id,
            "stem": v.stem,
            "options": "\n".join(v.options) if question.kind in ("single", "multiple") else "",
            "answer": answer_text(question.kind, v.answer),
            "difficulty": question.difficulty,
            "tags": " ".join(t.name for t in question.tags.all()),
            "explanation": v.explanation,
            "source": v.source,
        }

    def data_out(self) -> QuestionData:
        d = self.cleaned_data
        return QuestionData(
            kind=d["kind"],
            stem=d["stem"],
            options=[line.strip() for line in d["options"].splitlines() if line.strip()],
            answer=parse_answer(d["kind"], d["answer"]),
            explanation=d["explanation"],
            source=d["source"],
            difficulty=d["difficulty"],
            tags=[t for t in re.split(r"[\s,，、]+", d["tags"]) if t],
        )


class CategoryForm(forms.Form):
    name = forms.CharField(label="分类名称", max_length=60)
    parent = CategoryChoice(label="上级分类", queryset=Category.objects.none(), required=False)

    def __init__(self, *args: Any, categories: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = categories  # type: ignore[attr-defined]
        self.fields["name"].widget.attrs["class"] = "form-control"
        self.fields["parent"].widget.attrs["class"] = "form-select"


class ImportForm(forms.Form):
    FORMATS = [("xlsx", "Excel 模板（.xlsx）"), ("gift", "GIFT 文本（Moodle）"), ("aiken", "Aiken 文本")]
    fmt = forms.ChoiceField(label="格式", choices=FORMATS, initial="xlsx")
    file = forms.FileField(label="文件")
    category = CategoryChoice(
        with_org=True,
        label="导入到分类",
        queryset=Category.objects.none(),
        required=False,
        help_text="GIFT 中未写 $CATEGORY 的题目和 Aiken 题目导入到此分类；Excel 按“分类”列",
    )

    def __init__(self, *args: Any, categories: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = categories  # type: ignore[attr-defined]
        self.fields["fmt"].widget.attrs["class"] = "form-select"
        self.fields["category"].widget.attrs["class"] = "form-select"
        self.fields["file"].widget.attrs["class"] = "form-control"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("fmt") in ("gift", "aiken") and not data.get("category"):
            self.add_error("category", "导入 GIFT 或 Aiken 文本时请选择分类")
        upload = data.get("file")
        if upload is not None and upload.size > 20 * 1024 * 1024:
            self.add_error("file", "文件不能超过 20 MB")
        return data


def _local(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


class CampaignForm(forms.Form):
    org = forms.ModelChoiceField(label="参加范围（党组织及其下级）", queryset=Campaign.objects.none())
    title = forms.CharField(label="活动名称", max_length=80)
    purpose = forms.ChoiceField(label="性质", choices=Campaign.Purpose.choices)
    starts_at = forms.DateTimeField(
        label="开始时间", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label="结束时间", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    titles = forms.MultipleChoiceField(
        label="限定职务（不选则为范围内全体党员）",
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        choices=Position.Title.choices,
    )
    member_names = forms.CharField(
        label="指定党员（可选）",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="填写姓名，多个用逗号、空格或换行分隔；填写后只有这些党员可以参加。重名时写作“姓名@支部简称”",
    )
    time_limit_minutes = forms.IntegerField(label="限时（分钟）", min_value=1, max_value=600, initial=20)
    attempts_allowed = forms.IntegerField(label="每人可答次数", min_value=1, max_value=20, initial=1)
    pass_mark = forms.IntegerField(label="及格分（百分制）", min_value=0, max_value=100, initial=60)
    partial_multiple = forms.BooleanField(label="多选题少选按比例得分", required=False)
    review_after_close = forms.BooleanField(label="活动结束后才显示答案和解析", required=False, initial=True)
    points_on_pass = forms.BooleanField(label="通过后计入学习积分", required=False, initial=True)

    def __init__(self, *args: Any, orgs: Any, categories: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]
        now = timezone.now()
        self.fields["starts_at"].initial = _local(now)
        self.fields["ends_at"].initial = _local(now + dt.timedelta(days=7))
        for i in range(1, QUOTA_ROWS + 1):
            cat = CategoryChoice(label=f"抽题规则 {i}：分类", queryset=categories, required=i == 1)
            self.fields[f"quota_category_{i}"] = cat
            self.fields[f"quota_difficulty_{i}"] = forms.ChoiceField(
                label="难度", choices=DIFFICULTY_ANY, required=False
            )
            self.fields[f"quota_count_{i}"] = forms.IntegerField(
                label="题数", min_value=1, max_value=200, required=i == 1
            )
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs["class"] = "form-check-input"
            elif isinstance(field.widget, forms.CheckboxSelectMultiple):
                continue
            else:
                css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
                field.widget.attrs.setdefault("class", css)

    def quota_rows(self) -> list[tuple[Any, Any, Any]]:
        return [
            (self[f"quota_category_{i}"], self[f"quota_difficulty_{i}"], self[f"quota_count_{i}"])
            for i in range(1, QUOTA_ROWS + 1)
        ]

    def quotas(self) -> list[dict[str, Any]]:
        d = self.cleaned_data
        out = []
        for i in range(1, QUOTA_ROWS + 1):
            category, count = d.get(f"quota_category_{i}"), d.get(f"quota_count_{i}")
            if category and count:
                level = d.get(f"quota_difficulty_{i}")
                out.append(
                    {"category": category.pk, "difficulty": int(level) if level else None, "count": count}
                )
        return out

    def names(self) -> list[str]:
        return [n for n in re.split(r"[\s,，、;；]+", self.cleaned_data.get("member_names") or "") if n]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for i in range(2, QUOTA_ROWS + 1):
            if bool(data.get(f"quota_category_{i}")) != bool(data.get(f"quota_count_{i}")):
                self.add_error(f"quota_count_{i}", "请同时填写分类和题数")
        return data
