"""Personal data at rest: SM4-GCM encryption, keyed-hash lookup, and masking for display.

ID numbers and phones are stored three ways: the ciphertext (only path back to the value),
a keyed HMAC for exact lookup and uniqueness, and a masked form for every screen and export.
"""

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
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


def mask_id_number(value: str) -> str:
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
