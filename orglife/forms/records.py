"""HTML forms for meeting records. They validate and shape input; services.records saves."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django import forms
from django.utils import timezone

from orglife.models import MeetingRecord, MeetingType, PlanItem
from orglife.periods import add_months, first_of_month
from orglife.services.records import (
    AttendanceEntry,
    RecordData,
    Roster,
    open_plan_items,
    roster_for,
)
from orgs.forms import StyledForm, bootstrap
from orgs.models import Organization

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
TEXT = {"rows": 3}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input; the services sniff and validate each one."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class PlanItemSelect(forms.Select):
    """Each plan item carries what it planned, so choosing it fills the form (static/js/xianfeng.js).

    Items already recorded by someone else are valid choices (a draft kept on a device may name one, and
    the service then says who recorded it) but are not offered."""

    hidden_ids: frozenset[int] = frozenset()

    def optgroups(self, name: str, value: Any, attrs: Any = None) -> Any:
        groups = super().optgroups(name, value, attrs)
        out = []
        for group_name, options, index in groups:
            kept = [
                o
                for o in options
                if o["selected"] or getattr(o["value"], "value", o["value"]) not in self.hidden_ids
            ]
            if kept:
                out.append((group_name, kept, index))
        return out

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        item = getattr(option["value"], "instance", None)
        if item is not None:
            option["attrs"].update(
                {
                    "data-meeting-type": item.meeting_type,
                    "data-group": item.group_id or "",
                    "data-topic": item.topic,
                    "data-held-on": item.planned_on.isoformat() if item.planned_on else "",
                    "data-place": item.place,
                    "data-host-name": item.host_name,
                    "data-lecturer-name": item.lecturer_name,
                }
            )
        return option


class PlanItemField(forms.ModelChoiceField):
    widget = PlanItemSelect

    def label_from_instance(self, obj: Any) -> str:
        day = f"{obj.planned_on:%m月%d日} " if obj.planned_on else ""
        group = f"（{obj.group.display_name}）" if obj.group_id else ""
        return f"{day}{obj.get_meeting_type_display()}{group} {obj.topic}".strip()


class RecordForm(StyledForm, forms.Form):
    """One meeting: what, when, where, who; attendance comes from the `att-<member id>` toggles."""

    meeting_type = forms.ChoiceField(label="会议类型", choices=MeetingType.choices)
    group = forms.ModelChoiceField(
        queryset=Organization.objects.none(), label="党小组", required=False, empty_label="（选择党小组）"
    )
    plan_item = PlanItemField(
        queryset=PlanItem.objects.none(),
        label="对应计划",
        required=False,
        empty_label="计划外（未列入月度计划）",
        help_text="只列出本支部已审核、尚未登记纪实的计划事项",
    )
    topic = forms.CharField(label="主题", max_length=200)
    held_on = forms.DateField(label="日期", widget=DATE)
    start_time = forms.TimeField(label="开始时间", widget=TIME)
    end_time = forms.TimeField(label="结束时间", widget=TIME)
    place = forms.CharField(label="地点", max_length=120)
    host_name = forms.CharField(label="主持人", max_length=40)
    recorder_name = forms.CharField(label="记录人", max_length=40)
    lecturer_name = forms.CharField(label="党课主讲人", max_length=40, required=False)
    agenda = forms.CharField(label="议程", required=False, widget=forms.Textarea(attrs=TEXT))
    content = forms.CharField(label="会议内容", widget=forms.Textarea(attrs={"rows": 5}))
    decisions = forms.CharField(label="决议事项", required=False, widget=forms.Textarea(attrs=TEXT))
    vote_subject = forms.CharField(label="表决事项", max_length=200, required=False)
    votes_yes = forms.IntegerField(label="赞成", min_value=0, required=False)
    votes_no = forms.IntegerField(label="反对", min_value=0, required=False)
    votes_abstain = forms.IntegerField(label="弃权", min_value=0, required=False)
    # Made when the form is first shown and kept by the page (and its offline draft): a resend is stored once.
    client_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    photos = MultipleFileField(label="会议照片", help_text="1至9张，JPG/PNG/WebP；提交审核前至少1张")
    attachments = MultipleFileField(
        label="其他附件", help_text="可选：PDF、Word(.docx)、Excel(.xlsx)，如签到表"
    )

    def __init__(
        self,
        data: Any = None,
        files: Any = None,
        *,
        org: Organization,
        record: MeetingRecord | None = None,
        roster: Roster | None = None,
        initial: dict[str, Any] | None = None,
    ) -> None:
        defaults = {
            "meeting_type": MeetingType.THEME_DAY,
            "held_on": timezone.localdate(),
            "client_key": uuid.uuid4().hex,
        }
        initial = {**(_initial_from(record) if record is not None else defaults), **(initial or {})}
        super().__init__(data, files, initial=initial)
        self.org, self.record = org, record
        bootstrap(self)
        self.fields["photos"].widget.attrs.update({"accept": "image/jpeg,image/png,image/webp"})
        self.fields["attachments"].widget.attrs.update({"accept": ".pdf,.docx,.xlsx"})
        if not org.has_committee:
            self.fields["meeting_type"].choices = [  # type: ignore[attr-defined]
                c for c in MeetingType.choices if c[0] != MeetingType.COMMITTEE
            ]
        groups = org.children.filter(kind=Organization.Kind.GROUP, is_active=True).order_by("path")
        self.fields["group"].queryset = groups  # type: ignore[attr-defined]
        # Plan items of this and the two months before: the service checks the record's own month.
        today = first_of_month(timezone.localdate())
        items = [
            i.pk
            for m in (add_months(today, -2), add_months(today, -1), today)
            for i in open_plan_items(org, m, record=record)
        ]
        if record is not None and record.plan_item_id:
            items.append(record.plan_item_id)
        months = [add_months(today, -2), add_months(today, -1), today]
        taken = set(
            PlanItem.objects.filter(plan__org=org, plan__month__in=months, records__isnull=False)
            .exclude(pk__in=items)
            .values_list("pk", flat=True)
        )
        choices = PlanItem.objects.filter(pk__in=[*items, *taken]).select_related("group")
        self.fields["plan_item"].queryset = choices  # type: ignore[attr-defined]
        self.fields["plan_item"].widget.hidden_ids = frozenset(taken)  # type: ignore[attr-defined]
        if record is None and not self.is_bound:
            self._start_from_plan_item(initial)
        self.meeting_type_value = self._value("meeting_type") or MeetingType.THEME_DAY
        group_id = self._value("group")
        self.group_value = groups.filter(pk=group_id).first() if str(group_id or "").isdigit() else None
        self.roster = roster or roster_for(org, self.meeting_type_value, self.group_value)
        self.attendance: list[AttendanceEntry] = []

    def _start_from_plan_item(self, initial: dict[str, Any]) -> None:
        """Opened from a plan item (the secretary's home): its type, 党小组, topic, day, place and host."""
        pk = initial.get("plan_item")
        item = self.fields["plan_item"].queryset.filter(pk=pk).first() if isinstance(pk, int) else None  # type: ignore[attr-defined]
        if item is None or "topic" in initial:
            return
        self.initial.update(
            {
                "meeting_type": item.meeting_type,
                "group": item.group_id,
                "topic": item.topic,
                "place": item.place,
                "host_name": item.host_name,
                "lecturer_name": item.lecturer_name,
                **({"held_on": item.planned_on} if item.planned_on else {}),
            }
        )

    def _value(self, name: str) -> Any:
        if self.is_bound and name in self.data:
            return self.data.get(name)
        value = self.initial.get(name)
        return value.pk if isinstance(value, Organization) else value

    def attendance_rows(self) -> list[dict[str, Any]]:
        """Each due member with the state to show: 'present', 'absent' or '' (not yet marked)."""
        saved: dict[int, tuple[str, str]] = {}
        if self.record is not None and not self.is_bound:
            saved = {
                m: (s, r)
                for m, s, r in self.record.attendance.values_list("member_id", "status", "absence_reason")
            }
        rows = []
        for m in self.roster.due:
            if self.is_bound:
                state, reason = self.data.get(f"att-{m.pk}", ""), self.data.get(f"reason-{m.pk}", "")
            elif f"att-{m.pk}" in self.initial:  # an htmx reload of the list keeps what was marked
                state, reason = self.initial[f"att-{m.pk}"], self.initial.get(f"reason-{m.pk}", "")
            else:
                state, reason = saved.get(m.pk, ("", ""))
            rows.append(
                {"member": m, "state": state if state in ("present", "absent") else "", "reason": reason}
            )
        return rows

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start_time"), cleaned.get("end_time")
        if start and end and end < start:
            self.add_error("end_time", "结束时间不能早于开始时间")
        for row in self.attendance_rows():
            state = row["state"]
            if state:
                self.attendance.append(AttendanceEntry(row["member"].pk, state == "present", row["reason"]))
        return cleaned

    def to_data(self) -> RecordData:
        c = self.cleaned_data
        tz = timezone.get_current_timezone()
        day: dt.date = c["held_on"]
        assembly = c["meeting_type"] == MeetingType.GENERAL_ASSEMBLY
        return RecordData(
            meeting_type=c["meeting_type"],
            topic=c["topic"],
            place=c["place"],
            host_name=c["host_name"],
            recorder_name=c["recorder_name"],
            content=c["content"],
            # Fields shown only for another meeting type may hold text typed before the type changed.
            lecturer_name=(c.get("lecturer_name") or "") if c["meeting_type"] == MeetingType.LECTURE else "",
            agenda=c.get("agenda") or "",
            decisions=c.get("decisions") or "",
            group=c.get("group") if c["meeting_type"] == MeetingType.GROUP else None,
            plan_item=c.get("plan_item"),
            vote_subject=(c.get("vote_subject") or "") if assembly else "",
            votes_yes=c.get("votes_yes") if assembly else None,
            votes_no=c.get("votes_no") if assembly else None,
            votes_abstain=c.get("votes_abstain") if assembly else None,
            started_at=dt.datetime.combine(day, c["start_time"], tzinfo=tz),
            ended_at=dt.datetime.combine(day, c["end_time"], tzinfo=tz),
            attendance=self.attendance,
        )


def _initial_from(record: MeetingRecord) -> dict[str, Any]:
    start, end = timezone.localtime(record.started_at), timezone.localtime(record.ended_at)
    return {
        "meeting_type": record.meeting_type,
        "group": record.group_id,
        "plan_item": record.plan_item_id,
        "topic": record.topic,
        "held_on": start.date(),
        "start_time": start.time().replace(second=0),
        "end_time": end.time().replace(second=0),
        "place": record.place,
        "host_name": record.host_name,
        "recorder_name": record.recorder_name,
        "lecturer_name": record.lecturer_name,
        "agenda": record.agenda,
        "content": record.content,
        "decisions": record.decisions,
        "vote_subject": record.vote_subject,
        "votes_yes": record.votes_yes,
        "votes_no": record.votes_no,
        "votes_abstain": record.votes_abstain,
    }


class AmendForm(RecordForm):
    """更正 of an approved record: same fields (photos aside), type and 党小组 fixed, a reason required."""

    reason = forms.CharField(label="更正原因", widget=forms.Textarea(attrs={"rows": 2}), max_length=500)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("photos", "attachments"):
            del self.fields[name]
        for name in ("meeting_type", "group"):
            self.fields[name].disabled = True
        self.fields["reason"].widget.attrs.setdefault("class", "form-control")


class ReturnForm(StyledForm, forms.Form):
    reason = forms.CharField(label="退回原因", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)
