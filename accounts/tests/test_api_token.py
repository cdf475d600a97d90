from django.test import Client

from accounts.models import ApiToken, User
from audit.models import AuditEvent
from conftest import PASSWORD, make_user

URL = "/api/v1/auth/token/"


def ask(username: str, password: str, ip: str = "10.0.0.1"):
    return Client(REMOTE_ADDR=ip).post(
        URL, {"username": username, "password": password}, content_type="application/json"
    )


def test_a_correct_password_returns_a_token_that_works(cast):
    response = ask("secretary", PASSWORD)
    assert response.status_code == 200
    token = response.json()["token"]
    assert ApiToken.objects.get(user=cast.secretary).key_hash == ApiToken.hash(token)
    api = Client(headers={"Authorization": f"Token {token}"})
    assert api.get("/api/v1/organizations/").status_code == 200


def test_asking_twice_gives_two_tokens_that_both_work(cast):
    first, second = ask("secretary", PASSWORD).json()["token"], ask("secretary", PASSWORD).json()["token"]
    assert first != second
    for key in (first, second):
        assert (
            Client(headers={"Authorization": f"Token {key}"}).get("/api/v1/organizations/").status_code == 200
        )


def test_no_session_is_created(cast):
    response = ask("secretary", PASSWORD)
    assert "sessionid" not in response.cookies


def test_unknown_user_and_wrong_password_get_the_same_answer(cast):
    unknown, wrong = ask("nobody", PASSWORD), ask("secretary", "Wrong#Pass1")
    assert unknown.status_code == wrong.status_code == 400
    assert unknown.json() == wrong.json() == {"detail": "用户名或密码错误"}


def test_the_lockout_is_shared_with_the_login_page(cast):
    web = Client(REMOTE_ADDR="10.0.0.1")
    for _ in range(5):
        web.post("/accounts/login/", {"username": "secretary", "password": "Wrong#Pass1"})
    response = ask("secretary", PASSWORD, ip="10.0.0.2")
    assert response.status_code == 429
    assert "登录失败次数过多" in response.json()["detail"]


def test_api_failures_count_toward_the_web_lockout(cast):
    for _ in range(5):
        ask("secretary", "Wrong#Pass1")
    response = Client().post("/accounts/login/", {"username": "secretary", "password": PASSWORD})
    assert "登录失败次数过多" in response.content.decode()


def test_a_user_with_an_initial_password_gets_403(db):
    user = make_user("newbie")
    User.objects.filter(pk=user.pk).update(must_change_password=True)
    response = ask("newbie", PASSWORD)
    assert response.status_code == 403
    assert response.json() == {"detail": "请先登录网页修改初始密码"}
    assert not ApiToken.objects.exists()


def test_issuing_a_token_is_audited(cast):
    ask("secretary", PASSWORD)
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN)
    assert (event.actor_id, event.ip, event.summary) == (
        cast.secretary.pk,
        "10.0.0.1",
        {"channel": "api", "token": ApiToken.objects.get().pk},
    )


def test_a_refused_token_is_audited(cast):
    ask("secretary", "Wrong#Pass1")
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN_FAILED)
    assert (event.actor_name, event.ip) == ("secretary", "10.0.0.1")


def test_missing_fields_are_a_400(db):
    response = Client().post(URL, {}, content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()) == {"username", "password"}


def test_a_web_session_with_an_initial_password_cannot_use_the_api(db):
    user = make_user("newbie")
    User.objects.filter(pk=user.pk).update(must_change_password=True)
    client = Client()
    client.force_login(user)
    response = client.get("/api/v1/organizations/")
    assert response.status_code == 403
