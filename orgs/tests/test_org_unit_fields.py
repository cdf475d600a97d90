"""The unit side of the 党组织和所在单位基本信息采集表: form, page, API, the credit code's check character."""

from django.urls import reverse

from audit.models import AuditEvent
from orgs.models import Organization
from orgs.tests.api_client import api
from orgs.tests.test_pages_orgs import org_form

VALID_CODE = "91110000600037341L"  # a real published code (its check character is right)
WRONG_CHECK = "91110000600037341M"


def test_a_writer_fills_the_unit_fields_on_the_form_and_the_page_shows_them(cast):
    data = org_form(
        parent=cast.committee_a.pk,
        unit_name="县审计局",
        unit_credit_code=VALID_CODE.lower(),
        unit_economic_type="state",
        enterprise_size="",
        unit_staff_count="86",
        unit_address="城关镇人民路1号",
    )
    response = cast.client(cast.committee_admin).post(reverse("orgs:org_create"), data)
    assert response.status_code == 302
    org = Organization.objects.get(code="B0099")
    assert org.unit_credit_code == VALID_CODE and org.unit_staff_count == 86
    assert AuditEvent.objects.first().summary["unit_credit_code"] == VALID_CODE
    html = cast.client(cast.viewer).get(reverse("orgs:org_detail", args=[org.pk])).content.decode()
    for text in ("县审计局", VALID_CODE, "国有经济", "86", "城关镇人民路1号"):
        assert text in html


def test_a_credit_code_with_a_wrong_check_character_is_refused_in_chinese(cast):
    data = org_form(parent=cast.committee_a.pk, unit_credit_code=WRONG_CHECK)
    response = cast.client(cast.committee_admin).post(reverse("orgs:org_create"), data)
    html = response.content.decode()
    assert response.status_code == 200 and "校验位" in html and "is-invalid" in html
    assert not Organization.objects.filter(code="B0099").exists()


def test_the_api_reads_and_writes_the_unit_fields(cast):
    url = f"/api/v1/organizations/{cast.branch_a1.pk}/"
    response = api(cast.committee_admin).patch(
        url,
        {"unit_credit_code": VALID_CODE, "enterprise_size": "small", "unit_staff_count": 12},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = api(cast.viewer).get(url).json()
    assert body["unit_credit_code"] == VALID_CODE and body["enterprise_size_display"] == "小型"
    assert body["unit_staff_count"] == 12


def test_the_api_refuses_a_bad_credit_code(cast):
    url = f"/api/v1/organizations/{cast.branch_a1.pk}/"
    response = api(cast.committee_admin).patch(url, {"unit_credit_code": WRONG_CHECK}, format="json")
    assert response.status_code == 400 and "校验位" in str(response.json())
    cast.branch_a1.refresh_from_db()
    assert cast.branch_a1.unit_credit_code == ""
