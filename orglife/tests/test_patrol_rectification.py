"""整改 lifecycle: opened → evidence submitted by the branch → closed (销号) or sent back; overdue flags."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from orglife.models import Rectification
from orglife.services.patrol import (
    close_rectification,
    open_rectification,
    return_rectification,
    submit_rectification,
)
from orglife.tests.stats_fixtures import patrol_user

NOW = dt.datetime(2026, 4, 8, 10, 0, tzinfo=dt.UTC)
LATER = dt.datetime(2026, 5, 3, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def rect(cast):
    with time_machine.travel(NOW, tick=False):
        cast.inspector = patrol_user(cast)
        return open_rectification(
            actor=cast.inspector,
            org=cast.branch_a1,
            title="主题党日记录整改",
            items=["补充会议内容", "补齐照片"],
            deadline=dt.date(2026, 4, 30),
        )


def evidence(rect, text="已补充"):
    return {item.pk: f"{text}{i}" for i, item in enumerate(rect.items.all())}


def history(rect):
    rows = AuditEvent.objects.filter(target_type="orglife.Rectification", target_id=str(rect.pk))
    return list(rows.order_by("created_at", "id").values_list("summary__what", flat=True))


def test_the_full_lifecycle_is_kept_as_history(cast, rect):
    submit_rectification(actor=cast.secretary, rectification=rect, evidence=evidence(rect), note="均已整改")
    rect.refresh_from_db()
    assert rect.status == Rectification.Status.SUBMITTED and rect.evidence == "均已整改"
    assert all(i.done and i.evidence for i in rect.items.all())
    return_rectification(actor=cast.committee_admin, rectification=rect, reason="照片仍不清晰")
    rect.refresh_from_db()
    assert rect.status == Rectification.Status.OPEN and not rect.items.filter(done=True).exists()
    submit_rectification(actor=cast.secretary, rectification=rect, evidence=evidence(rect, "重新补充"))
    close_rectification(actor=cast.inspector, rectification=rect)
    rect.refresh_from_db()
    assert rect.status == Rectification.Status.CLOSED and rect.closed_by == cast.inspector
    assert history(rect) == [
        "rectification_opened",
        "rectification_submitted",
        "rectification_returned",
        "rectification_submitted",
        "rectification_closed",
    ]


def test_every_item_needs_evidence(cast, rect):
    first = rect.items.first()
    with pytest.raises(ValidationError):
        submit_rectification(actor=cast.secretary, rectification=rect, evidence={first.pk: "已补充"})


def test_only_the_branch_submits_and_only_the_opener_or_committee_closes(cast, rect):
    for reader in (cast.viewer, cast.inspector, cast.outsider):
        with pytest.raises(PermissionDenied):
            submit_rectification(actor=reader, rectification=rect, evidence=evidence(rect))
    submit_rectification(actor=cast.secretary, rectification=rect, evidence=evidence(rect))
    for other in (cast.secretary, cast.viewer, cast.outsider):
        with pytest.raises(PermissionDenied):
            close_rectification(actor=other, rectification=rect)
    close_rectification(actor=cast.committee_admin, rectification=rect)


def test_closing_needs_submitted_evidence(cast, rect):
    with pytest.raises(ValidationError):
        close_rectification(actor=cast.inspector, rectification=rect)


def test_overdue_rectifications_are_flagged_until_closed(cast, rect):
    url = reverse("orglife:patrol_rect_list")
    with time_machine.travel(NOW, tick=False):
        assert cast.client(cast.committee_admin).get(url).context["counts"]["overdue"] == 0
    with time_machine.travel(LATER, tick=False):
        client = cast.client(cast.committee_admin)  # a new session: the idle timeout ended the old one
        response = client.get(url)
        assert response.context["counts"]["overdue"] == 1
        (row,) = response.context["page"].object_list
        assert row.overdue and "已逾期" in response.content.decode()
        assert [r.pk for r in client.get(url + "?status=overdue").context["page"].object_list] == [rect.pk]
        submit_rectification(actor=cast.secretary, rectification=rect, evidence=evidence(rect))
        close_rectification(actor=cast.inspector, rectification=rect)
        assert client.get(url).context["counts"]["overdue"] == 0
        assert AuditEvent.objects.get(summary__what="rectification_closed").summary["after_deadline"] is True


def test_the_branch_submits_evidence_on_the_page_and_the_opener_closes(cast, rect):
    url = reverse("orglife:patrol_rect_detail", args=[rect.pk])
    form = {f"item_{pk}": text for pk, text in evidence(rect).items()}
    assert cast.client(cast.secretary).post(url, {**form, "note": "已整改"}).status_code == 302
    page = cast.client(cast.inspector).get(url)
    assert "验收通过，销号" in page.content.decode()
    close = reverse("orglife:patrol_rect_close", args=[rect.pk])
    assert cast.client(cast.inspector).post(close).status_code == 302
    rect.refresh_from_db()
    assert rect.status == Rectification.Status.CLOSED
    assert "销号" in cast.client(cast.secretary).get(url).content.decode()


def test_the_return_page_needs_a_reason(cast, rect):
    submit_rectification(actor=cast.secretary, rectification=rect, evidence=evidence(rect))
    url = reverse("orglife:patrol_rect_return", args=[rect.pk])
    assert cast.client(cast.committee_admin).post(url, {"reason": ""}).status_code == 200
    assert cast.client(cast.committee_admin).post(url, {"reason": "佐证不足"}).status_code == 302
    rect.refresh_from_db()
    assert rect.status == Rectification.Status.OPEN
