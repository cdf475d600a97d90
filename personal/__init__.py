"""Personal data at rest: SM4-GCM encryption, keyed-hash lookup, and masking for display.

ID numbers and phones are stored three ways: the ciphertext (only path back to the value),
a keyed HMAC for exact lookup and uniqueness, and a masked form for every screen and export.
"""

import base64
import hashlib
import hmac
import os
from collections.abc import Iterable
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from django.conf import settings

_VERSION = b"1"


@lru_cache(maxsize=4)
def _keys(master_hex: str) -> tuple[bytes, bytes]:
    master = bytes.fromhex(master_hex)
    if len(master) != 16:
        raise ValueError("XIANFENG_PII_KEY must be 32 hex digits (a 128-bit SM4 key)")
    enc = hmac.new(master, b"xianfeng-sm4-encryption", hashlib.sha256).digest()[:16]
    idx = hmac.new(master, b"xianfeng-blind-index", hashlib.sha256).digest()
    return enc, idx


def encrypt(value: str) -> str:
    if not value:
        return ""
    key, _ = _keys(settings.PII_KEY)
    nonce = os.urandom(12)
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    ct = encryptor.update(value.encode()) + encryptor.finalize()
    return (_VERSION + base64.b64encode(nonce + encryptor.tag + ct)).decode()


def encrypt_many(values: Iterable[str]) -> list[str]:
    """`encrypt` for many values (bulk imports): the key and the SM4 algorithm object are taken once, the
    nonces (random, 96 bits each, as `encrypt`'s) come from one read of the system's random source."""
    values = list(values)
    key, _ = _keys(settings.PII_KEY)
    algorithm = algorithms.SM4(key)
    nonces = os.urandom(12 * len(values))
    out = []
    for i, value in enumerate(values):
        if not value:
            out.append("")
            continue
        nonce = nonces[12 * i : 12 * i + 12]
        encryptor = Cipher(algorithm, modes.GCM(nonce)).encryptor()
        ct = encryptor.update(value.encode()) + encryptor.finalize()
        out.append((_VERSION + base64.b64encode(nonce + encryptor.tag + ct)).decode())
    return out


def decrypt(token: str) -> str:
    if not token:
        return ""
    key, _ = _keys(settings.PII_KEY)
    raw = base64.b64decode(token[1:])
    nonce, tag, ct = raw[:12], raw[12:28], raw[28:]
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    return (decryptor.update(ct) + decryptor.finalize()).decode()


def blind_index(kind: str, value: str) -> str:
    """Keyed hash for exact-match lookup; the kind keeps ID and phone hashes apart."""
    if not value:
        return ""
    _, key = _keys(settings.PII_KEY)
    return hmac.new(key, f"{kind}:{value.strip().upper()}".encode(), hashlib.sha256).hexdigest()


def blind_index_many(kind: str, values: Iterable[str]) -> list[str]:
    """`blind_index` for many values of one kind (bulk imports): the same HMAC-SHA256, the key taken once and
    each value hashed by hmac.digest (OpenSSL's one-shot HMAC, without building an HMAC object per value)."""
    _, key = _keys(settings.PII_KEY)
    digest = hmac.digest
    return [
        digest(key, f"{kind}:{value.strip().upper()}".encode(), "sha256").hex() if value else ""
        for value in values
    ]


# The masks leave too little to rebuild the value (GB/T 35273-2020 附录A): an ID number keeps its first
# and last character only, a phone its first three digits (the carrier's 号段, shared by tens of millions)
# and its last two (enough to tell a member's numbers apart); a shorter (landline) number only its last
# two. See docs/security-sec-data.md.
ID_KEEP_HEAD, ID_KEEP_TAIL = 1, 1
PHONE_KEEP_HEAD, PHONE_KEEP_TAIL = 3, 2


def _mask(value: str, head: int, tail: int, shortest: int) -> str:
    if not value:
        return ""
    if len(value) < shortest:
        return "*" * len(value)
    return value[:head] + "*" * (len(value) - head - tail) + value[len(value) - tail :]


def mask_id_number(value: str) -> str:
    return _mask(value, ID_KEEP_HEAD, ID_KEEP_TAIL, 9)


def mask_phone(value: str) -> str:
    head = PHONE_KEEP_HEAD if len(value) >= 11 else 0
    return _mask(value, head, PHONE_KEEP_TAIL, 7)


def number_search_kind(value: str) -> str | None:
    """The kind ("id" or "phone") of a search term that is a full ID number or phone number, else None.

    Such a search confirms a number it matches, so it needs its own permission (orgs.search_member_number).
    """
    value = (value or "").strip()
    number = value.upper()
    if len(number) == 18 and number[:17].isdigit():
        return "id"
    if value.isdigit() and len(value) >= 7:
        return "phone"
    return None


def encrypt_bytes(data: bytes) -> bytes:
    """A file's bytes under SM4-GCM (uploaded spreadsheets waiting for import, sealed exports)."""
    key, _ = _keys(settings.PII_KEY)
    nonce = os.urandom(12)
    encryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    ct = encryptor.update(data) + encryptor.finalize()
    return _VERSION + nonce + encryptor.tag + ct


def decrypt_bytes(sealed: bytes) -> bytes:
    """encrypt_bytes's input back; a changed byte fails the GCM tag (cryptography's InvalidTag)."""
    key, _ = _keys(settings.PII_KEY)
    nonce, tag, ct = sealed[1:13], sealed[13:29], sealed[29:]
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    return decryptor.update(ct) + decryptor.finalize()


SEAL_MAGIC = b"XFSEAL1"


class WrongPassphrase(ValueError):
    pass


def _passphrase_key(passphrase: str, salt: bytes) -> bytes:
    return Scrypt(salt=salt, length=16, n=2**15, r=8, p=1).derive(passphrase.encode())


def seal_with_passphrase(data: bytes, passphrase: str) -> bytes:
    """SM4-GCM under a key derived from a passphrase (scrypt): a file that another instance can open."""
    salt, nonce = os.urandom(16), os.urandom(12)
    encryptor = Cipher(algorithms.SM4(_passphrase_key(passphrase, salt)), modes.GCM(nonce)).encryptor()
    ct = encryptor.update(data) + encryptor.finalize()
    return SEAL_MAGIC + salt + nonce + encryptor.tag + ct


def open_with_passphrase(sealed: bytes, passphrase: str) -> bytes:
    """seal_with_passphrase's input back; WrongPassphrase for a wrong passphrase or a changed file."""
    if not sealed.startswith(SEAL_MAGIC) or len(sealed) < len(SEAL_MAGIC) + 44:
        raise WrongPassphrase("不是先锋迁移包")
    body = sealed[len(SEAL_MAGIC) :]
    salt, nonce, tag, ct = body[:16], body[16:28], body[28:44], body[44:]
    decryptor = Cipher(algorithms.SM4(_passphrase_key(passphrase, salt)), modes.GCM(nonce, tag)).decryptor()
    try:
        return decryptor.update(ct) + decryptor.finalize()
    except InvalidTag:
        raise WrongPassphrase("口令不正确，或文件已损坏") from None
