import pytest
from django.test import Client
from django.urls import reverse

from accounts import tokens
from accounts.models import ApiToken, User
from audit.models import AuditEvent
from conftest import PASSWORD, make_user

CHANGE = reverse("accounts:password_change")
NEW = "Nw#Secret2026"


def change(client: Client, old: str = PASSWORD, new1: str = NEW, new2: str | None = None):
    return client.post(CHANGE, {"old_password": old, "new_password1": new1, "new_password2": new2 or new1})


def logged_in(username: str) -> Client:
    client = Client()
    assert (
        client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD}).status_code
        == 302
    )
    return client


def test_anonymous_is_sent_to_login(db):
    response = Client().get(CHANGE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# The page has no object in its URL: every signed-in role (writer, read-only viewer, a secretary of
# another branch) sees and uses it for their own account only, so "allowed" is the only outcome.
@pytest.mark.parametrize("who", ["secretary", "viewer", "outsider", "member_user"])
def test_every_signed_in_user_may_open_their_page(cast, who):
    response = cast.client(getattr(cast, who)).get(CHANGE)
    assert response.status_code == 200
    assert "修改密码" in response.content.decode()


def test_a_read_only_viewer_changes_only_their_own_password(cast):
    assert change(cast.client(cast.viewer)).status_code == 302
    cast.viewer.refresh_from_db()
    cast.secretary.refresh_from_db()
    assert cast.viewer.check_password(NEW)
    assert cast.secretary.check_password(PASSWORD)


def test_the_forced_change_clears_the_flag_and_lets_the_user_in(db):
    user = make_user("newbie")
    User.objects.filter(pk=user.pk).update(must_change_password=True)
    client = logged_in("newbie")
    assert client.get(reverse("home:dashboard"))["Location"] == CHANGE
    assert "首次登录须修改初始密码" in client.get(CHANGE).content.decode()
    assert change(client)["Location"] == reverse("home:dashboard")
    user.refresh_from_db()
    assert not user.must_change_password
    assert user.password_changed_at is not None
    assert client.get(CHANGE).status_code == 200


def test_a_wrong_old_password_is_refused(cast):
    response = change(cast.client(cast.secretary), old="Wrong#Pass1")
    assert "原密码不正确" in response.content.decode()
    cast.secretary.refresh_from_db()
    assert cast.secretary.check_password(PASSWORD)


def test_the_two_new_passwords_must_match(cast):
    response = change(cast.client(cast.secretary), new2="Other#Pass2026")
    assert "两次输入的新密码不一致" in response.content.decode()


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("Ab#1234", "密码太短，至少需要 8 个字符"),
        ("abcdefgh12", "至少三类"),
        ("Secretary#2026", "密码不能包含用户名"),
    ],
)
def test_the_policy_errors_are_shown_in_chinese(cast, new, message):
    response = change(cast.client(cast.secretary), new1=new)
    assert message in response.content.decode()
    cast.secretary.refresh_from_db()
    assert cast.secretary.check_password(PASSWORD)


def test_changing_the_password_logs_out_the_users_other_sessions(cast):
    here, elsewhere = logged_in("secretary"), logged_in("secretary")
    assert elsewhere.get(CHANGE).status_code == 200
    change(here)
    assert here.get(CHANGE).status_code == 200
    response = elsewhere.get(CHANGE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_changing_the_password_rotates_this_session_key(cast):
    client = logged_in("secretary")
    before = client.session.session_key
    change(client)
    assert client.session.session_key != before


def test_changing_the_password_deletes_api_tokens(cast):
    tokens.issue(user=cast.secretary)
    change(cast.client(cast.secretary))
    assert not ApiToken.objects.filter(user=cast.secretary).exists()


def test_a_password_change_is_audited(cast):
    change(cast.client(cast.secretary))
    event = AuditEvent.objects.get(action=AuditEvent.Action.PASSWORD_CHANGE)
    assert event.actor_id == cast.secretary.pk
    assert NEW not in str(event.summary)
