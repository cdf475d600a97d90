import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client, RequestFactory

from audit.middleware import RequestContextMiddleware
from audit.models import AuditEvent
from audit.services import record_event
from conftest import PASSWORD
from orgs.services import update_organization


def test_a_login_makes_one_login_row(cast):
    Client(REMOTE_ADDR="10.1.2.3").post("/accounts/login/", {"username": "secretary", "password": PASSWORD})
    event = AuditEvent.objects.get()
    assert (event.action, event.actor_id, event.actor_name, event.ip) == (
        AuditEvent.Action.LOGIN,
        cast.secretary.pk,
        "secretary",
        "10.1.2.3",
    )


def test_a_failed_login_makes_one_row_with_the_attempted_username(db):
    Client(REMOTE_ADDR="10.1.2.3").post("/accounts/login/", {"username": "ghost", "password": "Wrong#Pass1"})
    event = AuditEvent.objects.get()
    assert (event.action, event.actor_id, event.actor_name, event.ip) == (
        AuditEvent.Action.LOGIN_FAILED,
        None,
        "ghost",
        "10.1.2.3",
    )
    assert "Wrong#Pass1" not in str(event.summary)


def test_a_logout_makes_one_row(cast):
    cast.client(cast.secretary).post("/accounts/logout/")
    assert AuditEvent.objects.get().action == AuditEvent.Action.LOGOUT


def test_a_service_write_makes_exactly_one_row_with_who_where_what(cast):
    request = RequestFactory().post("/orgs/1/edit/", REMOTE_ADDR="10.1.2.3")

    def view(request):
        update_organization(actor=cast.committee_admin, org=cast.branch_a1, name="县财政局第一党支部")

    RequestContextMiddleware(view)(request)
    event = AuditEvent.objects.get()
    assert event.action == AuditEvent.Action.UPDATE
    assert (event.actor_id, event.actor_name, event.ip) == (
        cast.committee_admin.pk,
        "committee_admin",
        "10.1.2.3",
    )
    assert (event.org_id, event.org_path) == (cast.branch_a1.pk, cast.branch_a1.path)
    assert (event.target_type, event.target_id) == ("orgs.Organization", str(cast.branch_a1.pk))
    assert event.summary == {"changed": {"name": ["县财政局机关党支部", "县财政局第一党支部"]}}


@pytest.fixture
def event(db):
    return record_event(actor=None, actor_name="someone", action=AuditEvent.Action.LOGIN_FAILED)


def test_the_orm_cannot_update_an_event(event):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(actor_name="changed")
    with pytest.raises(DatabaseError), transaction.atomic():
        event.actor_name = "changed"
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).actor_name == "someone"


def test_the_orm_cannot_delete_an_event(event):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_raw_sql_cannot_update_or_delete_an_event(event):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET actor_name = 'changed' WHERE id = %s", [event.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.get(pk=event.pk).actor_name == "someone"


def test_new_events_can_still_be_added_after_a_refused_change(event):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.all().delete()
    record_event(actor=None, actor_name="later", action=AuditEvent.Action.LOGIN_FAILED)
    assert AuditEvent.objects.count() == 2
