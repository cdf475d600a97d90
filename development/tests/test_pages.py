"""The pages four ways (allowed, read-only, outsider, anonymous), the list's filters, a step through the
page with its refusal shown in Chinese, and the API's list, detail, step and due list."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from development.models import Person, Stage
from development.tests import fixtures_dev as f
from development.tests.fixtures_dev import NOW
from personal import idcard


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def activist(cast):
    with time_machine.travel(NOW):
        person = f.to_activist(cast, f.applicant(cast, name="周积极"))
        f.svc.publish_notice(
            actor=cast.secretary, person=person, kind="candidate", starts_on=f.NOTICE, backdate_reason=f.WHY
        )
    return person


@time_machine.travel(NOW)
@pytest.mark.parametrize("name", ["development:person_list", "development:due_list", "development:overview"])
def test_lists_four_ways(cast, activist, name):
    url = reverse(name)
    assert cast.client(None).get(url).status_code == 302
    assert "周积极" not in cast.client(cast.outsider).get(url).content.decode()
    for user in (cast.secretary, cast.viewer):
        assert cast.client(user).get(url).status_code == 200
    if name != "development:overview":
        assert "周积极" in cast.client(cast.viewer).get(url).content.decode()


@time_machine.travel(NOW)
def test_the_file_four_ways(cast, activist):
    url = reverse("development:person_detail", args=[activist.pk])
    assert cast.client(None).get(url).status_code == 302
    assert cast.client(cast.outsider).get(url).status_code == 404
    html = cast.client(cast.viewer).get(url).content.decode()
    assert "周积极" in html and "确定为发展对象" in html and "办理" not in html
    html = cast.client(cast.secretary).get(url).content.decode()
    assert "办理" in html and activist.id_number_masked in html


@time_machine.travel(NOW)
def test_a_step_four_ways_and_its_refusal(cast, activist):
    url = reverse("development:person_step", args=[activist.pk, "candidate"])
    early = {
        "candidate-decided_on": "2026-10-09",
        "candidate-filed_on": "2026-10-12",
        "candidate-backdate_reason": "补录",
    }
    assert cast.client(None).post(url, early).status_code == 302
    assert cast.client(cast.outsider).post(url, early).status_code == 404
    assert cast.client(cast.viewer).post(url, early).status_code == 403
    response = cast.client(cast.secretary).post(url, early)
    assert response.status_code == 400 and "D-06" in response.content.decode()
    assert Person.objects.get(pk=activist.pk).stage == Stage.ACTIVIST
    ok = {
        "candidate-decided_on": "2026-10-20",
        "candidate-filed_on": "2026-10-22",
        "candidate-backdate_reason": "补录",
    }
    assert cast.client(cast.secretary).post(url, ok).status_code == 302
    assert Person.objects.get(pk=activist.pk).stage == Stage.CANDIDATE


@time_machine.travel(NOW)
def test_the_committee_alone_approves_through_the_page(cast):
    person = f.voted(cast, f.applicant(cast))
    url = reverse("development:person_step", args=[person.pk, "approve"])
    body = {
        "approve-talk_on": "2027-01-05",
        "approve-approved_on": "2027-01-10",
        "approve-backdate_reason": "补录",
    }
    assert cast.client(cast.secretary).post(url, body).status_code == 403
    assert cast.client(cast.committee_admin).post(url, body).status_code == 302
    assert Person.objects.get(pk=person.pk).stage == Stage.PROBATIONARY


@time_machine.travel(NOW)
def test_registering_an_application_on_the_page(cast):
    url = reverse("development:person_create")
    assert cast.client(cast.viewer).get(url).status_code == 403
    body = {
        "org": cast.branch_a1.pk,
        "name": "吴申请",
        "id_number": idcard.make("340101", dt.date(2010, 2, 1), 9),
        "applied_on": "2028-01-19",
    }
    response = cast.client(cast.secretary).post(url, body)
    assert response.status_code == 400 and "D-01" in response.content.decode()
    body["id_number"] = idcard.make("340101", dt.date(2000, 1, 1), 9)
    assert cast.client(cast.secretary).post(url, body).status_code == 302
    assert Person.objects.get(name="吴申请").stage == Stage.APPLICANT


@time_machine.travel(NOW)
def test_the_due_list_shows_an_overdue_talk_in_red(cast):
    f.applicant(cast, name="郑逾期")  # applied 2025-09-01: talk due 2025-10-01
    html = cast.client(cast.secretary).get(reverse("development:due_list")).content.decode()
    assert "郑逾期" in html and "table-danger" in html and "逾期" in html


@time_machine.travel(NOW)
def test_the_api_four_ways(cast, activist):
    detail = f"/api/v1/development/people/{activist.pk}/"
    assert cast.client(None).get(detail).status_code in (401, 403)
    assert cast.client(cast.outsider).get(detail).status_code == 404
    data = cast.client(cast.viewer).get(detail).json()
    assert (
        data["stage"] == "activist"
        and data["dues"]
        and "id_number_masked" in data
        and "id_number" not in data
    )
    step = f"{detail}step/"
    body = {
        "step": "candidate",
        "values": {"decided_on": "2026-10-09", "filed_on": "2026-10-12", "backdate_reason": "补录"},
    }
    assert cast.client(cast.viewer).post(step, body, content_type="application/json").status_code == 403
    refused = cast.client(cast.secretary).post(step, body, content_type="application/json")
    assert refused.status_code == 400 and "D-06" in refused.content.decode()
    body["values"].update(decided_on="2026-10-20", filed_on="2026-10-22")
    moved = cast.client(cast.secretary).post(step, body, content_type="application/json")
    assert moved.status_code == 200, moved.content.decode()
    assert moved.json()["stage"] == "candidate"
    dues = cast.client(cast.viewer).get("/api/v1/development/dues/").json()
    assert isinstance(dues, list)


@time_machine.travel(NOW)
def test_the_pipeline_exports_as_xlsx_with_masked_numbers(cast, activist):
    url = reverse("development:person_export")
    assert cast.client(cast.viewer).get(url).status_code == 403
    response = cast.client(cast.dept_admin).get(url)
    assert response.status_code == 200
    import io

    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert (
        rows[1][1] == "周积极"
        and rows[1][4] == activist.id_number_masked
        and rows[1][14] == "培养考察（每半年）"
    )


@time_machine.travel(NOW)
def test_discipline_four_ways_and_entered_on_the_page(cast):
    listing = reverse("development:discipline_list")
    assert cast.client(None).get(listing).status_code == 302
    assert cast.client(cast.viewer).get(listing).status_code == 200
    url = reverse("development:discipline_create", args=[cast.branch_a1.pk])
    assert cast.client(cast.outsider).get(url).status_code == 404
    assert cast.client(cast.viewer).get(url).status_code == 403
    body = {
        "member": cast.member_a1.pk,
        "starts_on": "2027-12-01",
        "ends_on": "2027-11-01",
        "note": "党纪处分决定",
    }
    refused = cast.client(cast.secretary).post(url, body)
    assert refused.status_code == 400 and "恢复权利日期应晚于开始日期" in refused.content.decode()
    body["ends_on"] = ""
    assert cast.client(cast.secretary).post(url, body).status_code == 302
    assert "李建国" in cast.client(cast.viewer).get(listing).content.decode()
