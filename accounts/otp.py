"""Two-factor authentication with TOTP (RFC 6238), standard library only.

- Codes: HMAC-SHA1 over the 30-second time step, 6 digits (what every authenticator app expects);
  a code is accepted for the current step ±1, and never for a step at or before the last accepted
  one (replay).
- The secret is stored SM4-encrypted (personal.encrypt); recovery codes are stored as salted
  SHA-256 hashes (they are random 50-bit values, so a slow hash adds nothing) and work once.
- Who must use it: every administrative role (REQUIRED_ROLES) and superusers. Anybody else may opt in;
  once enrolled, their login asks for a code too.

The web login never calls django's login() before the second factor: after the password the session
holds only a pending marker (PENDING_KEY: user id, backend, time), which the verify/enrol pages turn
into a real login. So no request ever runs authenticated on the password alone, and no per-request
gate is needed (see docs/security.md).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time
from typing import Any
from urllib.parse import quote, urlencode

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import RecoveryCode, TOTPDevice, User
from audit.chain import lock_rows
from audit.models import AuditEvent
from audit.services import record_event
from orgs.access import Actor, holds
from orgs.roles import Role
from personal import decrypt, encrypt

STEP_SECONDS = 30
DIGITS = 6
WINDOW = 1
ISSUER = "先锋智慧党建"
RECOVERY_CODE_COUNT = 10
PENDING_KEY = "otp_pending"
PENDING_MAX_AGE = 300  # seconds between the password and the code

REQUIRED_ROLES = frozenset(
    {
        Role.DEPT_ADMIN,
        Role.COMMITTEE_ADMIN,
        Role.AUDITOR,
        Role.SYSTEM_ADMIN,
        Role.SECURITY_ADMIN,
        Role.AUDIT_ADMIN,
    }
)


# ---- RFC 4226 / 6238 -------------------------------------------------------------------------


def generate_secret() -> str:
    """160 random bits, base32 without padding (as authenticator apps type it)."""
    return base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")


def _key(secret: str) -> bytes:
    clean = secret.replace(" ", "").upper()
    return base64.b32decode(clean + "=" * (-len(clean) % 8))


def hotp(secret: str, counter: int) -> str:
    digest = hmac.new(_key(secret), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**DIGITS).zfill(DIGITS)


def time_step(at: float | None = None) -> int:
    return int((time.time() if at is None else at) // STEP_SECONDS)


def totp(secret: str, at: float | None = None) -> str:
    return hotp(secret, time_step(at))


def match_step(secret: str, code: str, *, after: int | None, at: float | None = None) -> int | None:
    """The time step the code belongs to (now ±WINDOW), if it is newer than `after`; else None."""
    code = (code or "").strip().replace(" ", "")
    if len(code) != DIGITS or not code.isdigit():
        return None
    now = time_step(at)
    for step in range(now - WINDOW, now + WINDOW + 1):
        if after is not None and step <= after:
            continue
        if hmac.compare_digest(hotp(secret, step), code):
            return step
    return None


def provisioning_uri(secret: str, username: str) -> str:
    label = quote(f"{ISSUER}:{username}")
    query = urlencode(
        {"secret": secret, "issuer": ISSUER, "algorithm": "SHA1", "digits": DIGITS, "period": STEP_SECONDS}
    )
    return f"otpauth://totp/{label}?{query}"


# ---- who, and state ----------------------------------------------------------------------------


def is_required(user: Any) -> bool:
    return holds(user, REQUIRED_ROLES)


def confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed_at__isnull=False).first()


def needs_second_factor(user: Any) -> bool:
    """After the password: required roles always; others once they opted in."""
    return is_required(user) or confirmed_device(user) is not None


# ---- enrolment ---------------------------------------------------------------------------------


def pending_device(user: User) -> TOTPDevice:
    """The unconfirmed device to show (created once, so reloading the page keeps the same secret)."""
    device = TOTPDevice.objects.filter(user=user).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, secret_encrypted=encrypt(generate_secret()))
    return device


def device_secret(device: TOTPDevice) -> str:
    return decrypt(device.secret_encrypted)


def _hash_code(code: str, salt: str | None = None) -> str:
    salt = salt or secrets.token_hex(8)
    digest = hashlib.sha256(f"{salt}${code.upper()}".encode()).hexdigest()
    return f"sha256${salt}${digest}"


def _code_matches(code: str, stored: str) -> bool:
    _, salt, _ = stored.split("$", 2)
    return hmac.compare_digest(_hash_code(code, salt), stored)


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes; the plain codes are returned to be shown once."""
    RecoveryCode.objects.filter(user=user).delete()
    codes = [base64.b32encode(secrets.token_bytes(5)).decode() for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create([RecoveryCode(user=user, code_hash=_hash_code(c)) for c in codes])
    return [f"{c[:4]}-{c[4:]}" for c in codes]


@transaction.atomic
def confirm_enrolment(*, user: User, code: str) -> list[str] | None:
    """Turn the pending device on with a first valid code; returns the recovery codes, or None."""
    device = lock_rows(TOTPDevice.objects).filter(user=user, confirmed_at__isnull=True).first()
    if device is None:
        return None
    step = match_step(device_secret(device), code, after=None)
    if step is None:
        return None
    device.confirmed_at = timezone.now()
    device.last_step = step
    device.save(update_fields=["confirmed_at", "last_step"])
    record_event(actor=user, action=AuditEvent.Action.UPDATE, target=user, summary={"2fa": "enrolled"})
    return new_recovery_codes(user)


# ---- verification ------------------------------------------------------------------------------


@transaction.atomic
def verify(*, user: Any, code: str) -> str | None:
    """Check a TOTP code (replay-proof) or a recovery code; returns "totp", "recovery" or None."""
    device = lock_rows(TOTPDevice.objects).filter(user=user, confirmed_at__isnull=False).first()
    if device is None:
        return None
    step = match_step(device_secret(device), code, after=device.last_step)
    if step is not None:
        device.last_step = step
        device.save(update_fields=["last_step"])
        return "totp"
    candidate = (code or "").strip().replace("-", "").replace(" ", "").upper()
    if len(candidate) == 8:
        for stored in lock_rows(RecoveryCode.objects).filter(user=user, used_at__isnull=True):
            if _code_matches(candidate, stored.code_hash):
                stored.used_at = timezone.now()
                stored.save(update_fields=["used_at"])
                return "recovery"
    return None


@transaction.atomic
def disable(*, user: User, actor: Actor, reason: str) -> None:
    """Remove the device and recovery codes (security admin reset, or a member opting out)."""
    TOTPDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    record_event(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        target=user,
        summary={"2fa": "removed", "reason": reason},
    )


# ---- the pending login -------------------------------------------------------------------------


def begin_pending(request: HttpRequest, user: Any) -> None:
    request.session.cycle_key()  # no fixation across the two steps
    request.session[PENDING_KEY] = {
        "user_id": user.pk,
        "backend": getattr(user, "backend", "django.contrib.auth.backends.ModelBackend"),
        "since": time.time(),
    }


def pending_user(request: HttpRequest) -> User | None:
    data = request.session.get(PENDING_KEY)
    if not data or time.time() - float(data.get("since", 0)) > PENDING_MAX_AGE:
        return None
    user = User.objects.filter(pk=data["user_id"], is_active=True).first()
    if user is not None:
        user.backend = data["backend"]
    return user


def clear_pending(request: HttpRequest) -> None:
    request.session.pop(PENDING_KEY, None)
