"""The service worker's copies of the phone's daily pages (stale-while-revalidate): which answers it may keep,
and the per-login key (the `xf_page` cookie) that keeps one login's copies from every other login."""

from django.test import Client
from django.urls import reverse

from accounts.webguard import PAGE_KEY_COOKIE, PAGE_KEY_HEADER
from conftest import PASSWORD

HOME = reverse("home:dashboard")
LOGIN = reverse("accounts:login")


def sign_in(client: Client, username: str) -> str:
    response = client.post(LOGIN, {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    key = response.cookies[PAGE_KEY_COOKIE]
    assert not key["httponly"] and key["samesite"] == "Lax"  # the worker reads it; it opens nothing
    return key.value


def test_a_login_gets_its_own_key_and_the_daily_pages_are_labelled_with_it(cast):
    client = Client()
    key = sign_in(client, "secretary")
    assert len(key) == 32
    home = client.get(HOME)
    assert home.status_code == 200 and home[PAGE_KEY_HEADER] == key
    assert PAGE_KEY_COOKIE not in home.cookies  # unchanged: not sent again
    form = client.get(reverse("orglife:record_create"), {"org": cast.branch_a1.pk})
    assert form.status_code == 200 and form[PAGE_KEY_HEADER] == key
    # the same login signed in again (a new session) is a new key: the old copies are not shown
    assert sign_in(Client(), "secretary") != key


def test_only_the_allowed_answers_are_labelled(cast):
    client = Client()
    sign_in(client, "secretary")
    org = cast.branch_a1.pk
    # the roster reload of the record form (htmx), a page not on the list, a form post with errors
    roster = client.get(reverse("orglife:record_create"), {"org": org}, headers={"HX-Request": "true"})
    assert roster.status_code == 200 and PAGE_KEY_HEADER not in roster
    assert PAGE_KEY_HEADER not in client.get(reverse("orglife:record_list"), {"org": org})
    posted = client.post(f"{reverse('orglife:record_create')}?org={org}", {"topic": ""})
    assert posted.status_code == 200 and PAGE_KEY_HEADER not in posted
    # the county's figures (charts drawn by a script on load) are not the phone's page: no copy
    admin = Client()
    admin.force_login(cast.dept_admin)
    assert admin.get(HOME).status_code == 200 and PAGE_KEY_HEADER not in admin.get(HOME)


def test_the_member_home_is_labelled_and_another_user_has_another_key(cast):
    secretary, member = Client(), Client()
    first = sign_in(secretary, "secretary")
    second = sign_in(member, "member_user")
    assert first != second
    assert member.get(HOME)[PAGE_KEY_HEADER] == second


def test_signing_out_deletes_the_key(cast):
    client = Client()
    sign_in(client, "secretary")
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    cookie = response.cookies[PAGE_KEY_COOKIE]
    assert cookie.value == "" and cookie["max-age"] == 0
    # signed out, an anonymous page that still receives an old key deletes it too
    stale = Client()
    stale.cookies[PAGE_KEY_COOKIE] = "0" * 32
    assert stale.get(LOGIN).cookies[PAGE_KEY_COOKIE]["max-age"] == 0


def test_the_worker_knows_the_daily_pages_and_the_key(db):
    body = Client().get("/sw.js").content.decode()
    assert f'const COPY_PAGES = ["{HOME}", "{reverse("orglife:record_create")}"];' in body
    assert (
        f'const KEY_COOKIE = "{PAGE_KEY_COOKIE}";' in body
        and f'const KEY_HEADER = "{PAGE_KEY_HEADER}";' in body
    )
