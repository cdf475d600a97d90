"""Login and password-change forms: they validate input; the services do the work."""

from typing import Any

from django import forms

from accounts.models import ProvisioningRun, User
from orgs.forms import bootstrap
from orgs.roles import Role


class LoginForm(forms.Form):
    username = forms.CharField(
        label="用户名",
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label="密码",
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class OTPForm(forms.Form):
    code = forms.CharField(
        label="动态验证码",
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label="原密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    new_password1 = forms.CharField(
        label="新密码",
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="至少 8 位，包含大写字母、小写字母、数字、特殊字符中的至少三类，且不能包含用户名或手机号。",
    )
    new_password2 = forms.CharField(
        label="确认新密码",
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_old_password(self) -> str:
        old = self.cleaned_data["old_password"]
        if not self.user.check_password(old):
            raise forms.ValidationError("原密码不正确", code="password_incorrect")
        return old

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        new1, new2 = cleaned.get("new_password1"), cleaned.get("new_password2")
        if new1 and new2 and new1 != new2:
            self.add_error("new_password2", "两次输入的新密码不一致")
        elif new1 and new1 == cleaned.get("old_password"):
            self.add_error("new_password1", "新密码不能与原密码相同")
        return cleaned


class _Styled(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)


class UserCreateForm(_Styled):
    username = forms.CharField(label="用户名", max_length=150, help_text="3–150 位字母、数字或 _ . @ -")
    display_name = forms.CharField(label="姓名", max_length=40)
    member_id = forms.IntegerField(
        label="对应党员编号（可选）", required=False, help_text="填写后初始密码以短信发到该党员的手机"
    )


class GrantForm(_Styled):
    role = forms.ChoiceField(label="角色", choices=Role.choices)
    org_code = forms.CharField(label="组织代码", max_length=40)


class ProvisionForm(_Styled):
    source = forms.ChoiceField(label="来源", choices=ProvisioningRun.Source.choices)
    org_code = forms.CharField(label="组织代码", max_length=40, help_text="为该组织及其全部下级开通")
    delivery = forms.ChoiceField(label="初始密码送达方式", choices=ProvisioningRun.Delivery.choices)
