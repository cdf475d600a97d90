"""Account writes, one module per subject; pages, the API, commands and other apps import them from here.

- `auth`: login with lockout and two factors, logout, password change, API tokens' issue, the
  security administrator's unlock and two-factor reset, `create_user` and `grant_role` (implied grants).
- `users`: the 三员 user-management pages' writes: the system administrator's accounts (create, disable,
  enable, reset password) and the security administrator's grants and revocations on nodes.
- `provisioning`: accounts in bulk from posts and from members, initial passwords by SMS or a sealed list.
"""

from accounts.services.auth import (
    BAD_CREDENTIALS,
    LOCKED,
    MUST_CHANGE_FOR_API,
    OTP_BAD,
    OTP_MISSING,
    OTP_NOT_ENROLLED_FOR_API,
    THROTTLED,
    LoginError,
    change_password,
    complete_enrolment,
    complete_second_factor,
    create_user,
    grant_role,
    is_locked,
    is_throttled,
    issue_api_token,
    login_user,
    logout_user,
    reset_second_factor,
    unlock_account,
)

__all__ = [
    "BAD_CREDENTIALS",
    "LOCKED",
    "MUST_CHANGE_FOR_API",
    "OTP_BAD",
    "OTP_MISSING",
    "OTP_NOT_ENROLLED_FOR_API",
    "THROTTLED",
    "LoginError",
    "change_password",
    "complete_enrolment",
    "complete_second_factor",
    "create_user",
    "grant_role",
    "is_locked",
    "is_throttled",
    "issue_api_token",
    "login_user",
    "logout_user",
    "reset_second_factor",
    "unlock_account",
]
