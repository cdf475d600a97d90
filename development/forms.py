"""The pages' forms: the application and one small form per step (the services validate the rules)."""

from __future__ import annotations

from typing import Any

from django import forms

from development.models import Notice, NoticeObjection, Person, Vote
from orglife.models import MeetingRecord, MeetingType
from orgs.forms import DATE, OrgChoiceField, StyledForm, bootstrap
from orgs.models import Member, Organization

WHY_HELP = "日期早于今天7天以上时须填写（补录纸质档案等），留痕审计"


class BaseForm(StyledForm, forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)


class Backdated(BaseForm):
    backdate_reason = forms.CharField(label="补录原因", max_length=200, required=False, help_text=WHY_HELP)


class ApplicationForm(Backdated):
    org = OrgChoiceField(label="接收申请的党支部", queryset=Organization.objects.none())
    name = forms.CharField(label="姓名", max_length=40)
    id_number = forms.CharField(label="公民身份号码", max_length=18)
    phone = forms.CharField(label="联系电话", max_length=12, required=False)
    education = forms.ChoiceField(
        label="学历", choices=[("", "—"), *Member.Education.choices], required=False
    )
    occupation = forms.CharField(label="工作岗位", max_length=60, required=False)
    is_league_member = forms.BooleanField(label="共青团员", required=False)
    applied_on = forms.DateField(label="递交入党申请书日期", widget=DATE)

    field_order = [
        "org",
        "name",
        "id_number",
        "phone",
        "education",
        "occupation",
        "is_league_member",
        "applied_on",
    ]

    def __init__(self, *args: Any, branches: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = branches  # type: ignore[attr-defined]


class TalkForm(Backdated):
    on = forms.DateField(label="谈话日期", widget=DATE)
    note = forms.CharField(label="谈话情况", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ActivistForm(Backdated):
    nomination = forms.ChoiceField(label="推荐方式", choices=Person.Nomination.choices)
    decided_on = forms.DateField(label="支委会研究日期", widget=DATE)
    filed_on = forms.DateField(label="报上级党委备案日期", widget=DATE)


class LinksForm(Backdated):
    members = forms.ModelMultipleChoiceField(label="党员", queryset=Member.objects.none())
    on = forms.DateField(label="确定日期", widget=DATE)

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = Member.objects.filter(org=person.org).active().order_by("name")  # type: ignore[attr-defined]
        self.fields["members"].widget.attrs["class"] = "form-select"
        self.fields["members"].widget.attrs["size"] = 6


class AssessmentForm(Backdated):
    held_on = forms.DateField(label="考察日期", widget=DATE)
    summary = forms.CharField(label="考察意见", widget=forms.Textarea(attrs={"rows": 2}))


class NoticeForm(Backdated):
    starts_on = forms.DateField(label="公示开始日期", widget=DATE)


class DecisionForm(Backdated):
    decided_on = forms.DateField(label="支委会研究日期", widget=DATE)
    filed_on = forms.DateField(label="报上级党委备案日期", widget=DATE)


class ReviewForm(Backdated):
    on = forms.DateField(label="政审日期", widget=DATE)
    conclusion = forms.CharField(label="政审结论（书面）", widget=forms.Textarea(attrs={"rows": 2}))
    passed = forms.TypedChoiceField(
        label="结论", choices=[("1", "合格"), ("0", "不合格")], coerce=lambda v: v == "1"
    )


class TrainingForm(Backdated):
    until = forms.DateField(label="结业日期", widget=DATE)
    days = forms.DecimalField(label="培训天数", max_digits=4, decimal_places=1, min_value=0, required=False)
    hours = forms.DecimalField(label="培训学时", max_digits=5, decimal_places=1, min_value=0, required=False)


class PreReviewForm(Backdated):
    on = forms.DateField(label="上级党委预审日期", widget=DATE)
    form_issued_on = forms.DateField(label="发放入党志愿书日期", widget=DATE)


class VoteForm(BaseForm):
    record = forms.ModelChoiceField(label="支部党员大会纪实", queryset=MeetingRecord.objects.none())
    yes = forms.IntegerField(label="赞成", min_value=0)
    no = forms.IntegerField(label="反对", min_value=0)
    abstain = forms.IntegerField(label="弃权", min_value=0)
    written = forms.IntegerField(label="书面意见（缺席党员，计入）", min_value=0, initial=0)

    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["record"].queryset = MeetingRecord.objects.filter(  # type: ignore[attr-defined]
            org=person.org,
            meeting_type=MeetingType.GENERAL_ASSEMBLY,
            status__in=(
                MeetingRecord.Status.SUBMITTED,
                MeetingRecord.Status.AWAITING_COMMITTEE,
                MeetingRecord.Status.APPROVED,
            ),
        ).order_by("-started_at")


class ConversionVoteForm(VoteForm):
    kind = forms.ChoiceField(
        label="表决事项",
        choices=[(k.value, k.label) for k in (Vote.Kind.CONVERSION, Vote.Kind.EXTENSION, Vote.Kind.CANCEL)],
    )
    extension_months = forms.IntegerField(label="延长月数（6–12）", min_value=1, max_value=24, required=False)


class ApprovalForm(Backdated):
    talk_on = forms.DateField(label="党委委员或组织员谈话日期", widget=DATE)
    approved_on = forms.DateField(label="党委审批日期", widget=DATE)
    late_reason = forms.CharField(label="超过3个月审批的原因", max_length=200, required=False)


class DateForm(Backdated):
    on = forms.DateField(label="日期", widget=DATE)


class ConversionApprovalForm(Backdated):
    approved_on = forms.DateField(label="党委审批日期", widget=DATE)


class EndForm(Backdated):
    on = forms.DateField(label="终止日期", widget=DATE)
    reason = forms.CharField(label="终止原因", max_length=200)


class ObjectionForm(Backdated):
    notice = forms.ChoiceField(label="公示", choices=Notice.choices)
    received_on = forms.DateField(label="受理日期", widget=DATE)
    received_by = forms.CharField(label="受理人", max_length=40)
    source = forms.CharField(label="反映人（可匿名，不填）", max_length=60, required=False)
    content = forms.CharField(label="反映内容", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, notices: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if notices is not None:
            self.fields["notice"].choices = [c for c in Notice.choices if c[0] in notices]  # type: ignore[attr-defined]


class ResolveObjectionForm(Backdated):
    resolved_on = forms.DateField(label="办结日期", widget=DATE)
    outcome = forms.ChoiceField(label="处理结果", choices=NoticeObjection.Outcome.choices)
    handling = forms.CharField(label="调查处理情况", widget=forms.Textarea(attrs={"rows": 2}))
