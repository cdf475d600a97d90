from __future__ import annotations

from django import forms

from learning.services.hours import MAX_HOURS_PER_DAY
from orgs.models import Position

# ISO in the value, as orgs and orglife write it: a date input shows nothing for the localized 2027/01/01.
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StyledForm(forms.Form):
    """Bootstrap classes on every widget (the pages render fields one by one)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for field in self.fields.values():
            w = field.widget
            if isinstance(w, forms.CheckboxSelectMultiple | forms.CheckboxInput):
                continue
            w.attrs.setdefault(
                "class",
                "form-select form-select-sm"
                if isinstance(w, forms.Select)
                else "form-control form-control-sm",
            )


class LessonForm(StyledForm):
    speaker = forms.TypedChoiceField(label="授课人", coerce=int)
    topic = forms.CharField(label="题目", max_length=120)
    given_on = forms.DateField(label="授课日期", widget=DATE)
    minutes = forms.IntegerField(label="时长（分钟）", min_value=1, max_value=600, initial=15)
    record = forms.TypedChoiceField(
        label="所在主题党日/党课纪实（可选）", coerce=int, required=False, empty_value=None
    )
    outline = forms.CharField(
        label="提纲", widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=4000
    )
    upload = forms.FileField(
        label="课件或授课视频（可选）",
        required=False,
        help_text="课件：PDF 或 PowerPoint .pptx；视频：手机拍摄的 MOV/MP4 等，上传后自动转码。按文件内容识别。",
    )

    def __init__(
        self, *args: object, speakers: list[tuple[int, str]], records: list[tuple[int, str]], **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["speaker"].choices = [("", "请选择"), *speakers]  # type: ignore[attr-defined]
        self.fields["record"].choices = [("", "不关联"), *records]  # type: ignore[attr-defined]


class TrainingForm(StyledForm):
    name = forms.CharField(label="培训名称", max_length=120)
    organizer = forms.CharField(label="主办方", max_length=80)
    starts_on = forms.DateField(label="开始日期", widget=DATE)
    ends_on = forms.DateField(label="结束日期", widget=DATE)
    hours = forms.DecimalField(label="学时", min_value=0.5, max_digits=5, decimal_places=1)
    members = forms.TypedMultipleChoiceField(
        label="参训党员", coerce=int, widget=forms.CheckboxSelectMultiple, required=False
    )
    attendees = forms.FileField(
        label="或导入参训名单（.xlsx）",
        required=False,
        help_text="第一行为表头，含“姓名”“公民身份号码”两列；按身份证号在本组织中查找，姓名须一致。",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def __init__(self, *args: object, members: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["members"].choices = members  # type: ignore[attr-defined]


class OfflineForm(StyledForm):
    title = forms.CharField(label="学习内容", max_length=120)
    studied_on = forms.DateField(label="日期", widget=DATE)
    hours = forms.DecimalField(
        label="学时", min_value=0.5, max_value=MAX_HOURS_PER_DAY, max_digits=4, decimal_places=1
    )


class ExemptionForm(StyledForm):
    reason = forms.CharField(label="免除原因", max_length=120, required=False)
    clear = forms.BooleanField(required=False)


class DeleteForm(StyledForm):
    reason = forms.CharField(label="删除原因", max_length=200)


class VideoForm(StyledForm):
    title = forms.CharField(label="片名", max_length=120)
    category = forms.CharField(label="类别", max_length=40, initial="党的创新理论")
    tags = forms.CharField(label="标签（用逗号分隔）", max_length=120, required=False)
    source = forms.CharField(label="来源", max_length=120, required=False)
    duration = forms.IntegerField(
        label="时长（秒，上传文件时可不填）", min_value=1, max_value=6 * 3600, required=False
    )
    upload = forms.FileField(
        label="视频或音频文件（手机拍摄的 MOV/MP4 均可，上传后自动转码）",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "video/*,audio/*"}),
    )


class AssignmentForm(StyledForm):
    kind = forms.ChoiceField(label="类型", choices=[("required", "必看"), ("optional", "选看")])
    due_on = forms.DateField(label="截止日期", widget=DATE)
    titles = forms.MultipleChoiceField(
        label="限定职务（不选则为全体党员）", required=False, widget=forms.CheckboxSelectMultiple, choices=[]
    )
    candidates = forms.BooleanField(
        label="发展对象（只选此项则只发给范围内的发展对象；与职务同选则两者都发）",
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["titles"].choices = Position.Title.choices  # type: ignore[attr-defined]


class BookForm(StyledForm):
    title = forms.CharField(label="学习资料", max_length=120)
    description = forms.CharField(label="学习要求", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    issued_on = forms.DateField(label="发放日期", widget=DATE)
    titles = forms.MultipleChoiceField(
        label="发放对象（不选则为范围内全体党员；如全体干部可选书记、委员等职务）",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[],
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["titles"].choices = Position.Title.choices  # type: ignore[attr-defined]


class NotesForm(StyledForm):
    notes = forms.CharField(label="学习笔记", required=False, widget=forms.Textarea(attrs={"rows": 8}))


class CheckForm(StyledForm):
    result = forms.ChoiceField(
        label="抽查结果", choices=[("excellent", "优秀"), ("pass", "合格"), ("fail", "不合格")]
    )
    checked_on = forms.DateField(label="抽查日期", widget=DATE)
    remark = forms.CharField(label="意见（不合格须填写）", max_length=200, required=False)


class WithdrawForm(StyledForm):
    reason = forms.CharField(label="撤销原因", max_length=200)


class ConversionForm(StyledForm):
    """A new version of the 学时 conversion table; the values are checked by the service (clear Chinese errors)."""

    effective_from = forms.DateField(
        label="生效日期", widget=DATE, help_text="该日（含）起的学习按新标准折算"
    )
    hours_per_day = forms.DecimalField(label="全天培训折合学时")
    hours_per_half_day = forms.DecimalField(label="半天讲座折合学时")
    study_hours_per_hour = forms.DecimalField(label="集中学习每小时折合学时")
    document = forms.CharField(label="依据（文件名称及文号）", max_length=200, required=False)
    note = forms.CharField(
        label="修订说明", widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["effective_from"].error_messages["invalid"] = "请输入有效的日期，如 2027-01-01"
        self.fields["effective_from"].error_messages["required"] = "请填写生效日期"
        for name in ("hours_per_day", "hours_per_half_day", "study_hours_per_hour"):
            field = self.fields[name]
            field.error_messages["invalid"] = f"{field.label}应为数字"
            field.error_messages["required"] = f"请填写{field.label}"
            field.widget.attrs.update({"inputmode": "decimal", "step": "any"})
