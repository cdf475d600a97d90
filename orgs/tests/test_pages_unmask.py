from django.urls import reverse

import personal
from audit.models import AuditEvent


def unmask_url(member):
    return reverse("orgs:member_unmask", args=[member.pk])


def test_the_button_shows_only_for_users_with_the_permission(cast):
    detail = reverse("orgs:member_detail", args=[cast.member_a1.pk])
    assert "查看完整信息" in cast.client(cast.dept_admin).get(detail).content.decode()
    assert "查看完整信息" not in cast.client(cast.committee_admin).get(detail).content.decode()


def test_the_button_opens_a_reason_form(cast):
    response = cast.client(cast.dept_admin).get(unmask_url(cast.member_a1))
    assert response.status_code == 200
    assert "查看原因" in response.content.decode()
    assert personal.decrypt(cast.member_a1.id_number_enc) not in response.content.decode()


def test_with_a_reason_the_full_values_show_once_and_are_audited(cast):
    before = AuditEvent.objects.filter(action="unmask").count()
    response = cast.client(cast.dept_admin).post(unmask_url(cast.member_a1), {"reason": "核对党费收缴信息"})
    html = response.content.decode()
    assert response.status_code == 200
    assert personal.decrypt(cast.member_a1.id_number_enc) in html and "13955551234" in html
    assert "no-store" in response["Cache-Control"]
    events = AuditEvent.objects.filter(action="unmask")
    assert events.count() == before + 1
    assert events.first().summary == {"reason": "核对党费收缴信息"}
    assert events.first().target_id == str(cast.member_a1.pk)


def test_without_a_reason_the_form_comes_back_with_an_error(cast):
    response = cast.client(cast.dept_admin).post(unmask_url(cast.member_a1), {"reason": " "})
    html = response.content.decode()
    assert "请说明查看原因" in html
    assert personal.decrypt(cast.member_a1.id_number_enc) not in html
    assert not AuditEvent.objects.filter(action="unmask").exists()


def test_a_user_without_the_permission_is_refused(cast):
    response = cast.client(cast.committee_admin).post(unmask_url(cast.member_a1), {"reason": "核对信息"})
    assert response.status_code == 403
    assert cast.client(cast.viewer).get(unmask_url(cast.member_a1)).status_code == 403
    assert not AuditEvent.objects.filter(action="unmask").exists()


def test_an_outsider_gets_404(cast):
    assert cast.client(cast.outsider).post(unmask_url(cast.member_a1), {"reason": "核对"}).status_code == 404


def test_anonymous_is_sent_to_login(cast):
    response = cast.client(None).post(unmask_url(cast.member_a1), {"reason": "核对"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
