import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from conftest import make_user


def messages_for(password: str, user=None) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return list(exc.messages)
    return []


def test_a_strong_password_passes(db):
    assert messages_for("Xf#Strong2026", make_user("zhangsan")) == []


def test_seven_characters_are_too_short():
    assert "密码太短，至少需要 8 个字符" in messages_for("Ab#1234")


@pytest.mark.parametrize("password", ["abcdefgh12", "ABCDEFGH12", "abcdEFGHij", "abcd#$%^&*"])
def test_two_character_classes_are_not_enough(password):
    assert "密码须包含大写字母、小写字母、数字、特殊字符中的至少三类" in messages_for(password)


@pytest.mark.parametrize("password", ["abcdEFGH12", "abcd#FGHIJ", "abcd#12345", "ABCD#12345"])
def test_three_character_classes_are_enough(password):
    assert messages_for(password) == []


def test_the_password_may_not_contain_the_username(db):
    user = make_user("wangwei")
    assert "密码不能包含用户名" in messages_for("Wangwei#2026", user)


def test_the_password_may_not_contain_the_members_phone(cast):
    assert "密码不能包含手机号" in messages_for("Li#13955551234", cast.member_user)


def test_another_phone_number_is_fine(cast):
    assert messages_for("Li#13955550000", cast.member_user) == []


def test_messages_are_chinese():
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in messages_for("abc"))
