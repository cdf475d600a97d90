"""A sealed (encrypted, authenticated) stream: SM4-GCM in fixed-size chunks, so memory stays bounded.

File layout: MAGIC, a 2-byte header length, the JSON header (format, key id, salt, nonce prefix, chunk
size), then frames. Each frame is a 4-byte ciphertext length, a 1-byte "last" flag and the ciphertext
with its 16-byte GCM tag. The key is derived per file with HKDF-SM3 from the backup master key and the
file's random salt; chunk i uses the nonce prefix + i, and the header, i and the "last" flag are the
additional authenticated data, so a reordered, dropped, truncated or altered chunk fails to open.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import struct
from typing import IO, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

MAGIC = b"XIANFENG-BACKUP\n"
CHUNK_SIZE = 1 << 20
_FRAME = struct.Struct(">IB")
_TAG = 16


class SealedError(Exception):
    """The file is not a backup, was made with another key, or was altered or truncated."""


def master_key() -> bytes:
    """XIANFENG_BACKUP_KEY (32 hex digits) when set, else the personal-data key XIANFENG_PII_KEY."""
    raw = getattr(settings, "BACKUP_KEY", "") or settings.PII_KEY
    key = bytes.fromhex(raw)
    if len(key) != 16:
        raise SealedError("备份密钥须为 32 位十六进制（128 位 SM4 密钥）")
    return key


def key_id(master: bytes) -> str:
    """A short public fingerprint of the master key, so a wrong key is named rather than guessed."""
    return hmac.new(master, b"xianfeng-backup-key-id", hashlib.sha256).hexdigest()[:16]


def _derive(master: bytes, salt: bytes) -> bytes:
    return HKDF(algorithm=hashes.SM3(), length=16, salt=salt, info=b"xianfeng-backup-sm4-gcm").derive(master)


class SealedWriter:
    """Buffers plaintext and writes one encrypted frame per CHUNK_SIZE bytes; close() writes the last."""

    def __init__(self, out: IO[bytes], *, master: bytes | None = None, chunk_size: int = CHUNK_SIZE) -> None:
        master = master or master_key()
        salt = os.urandom(16)
        self._prefix = os.urandom(4)
        header = {
            "format": 1,
            "cipher": "SM4-GCM",
            "kdf": "HKDF-SM3",
            "key_id": key_id(master),
            "salt": salt.hex(),
            "nonce_prefix": self._prefix.hex(),
            "chunk_size": chunk_size,
        }
        self._header = json.dumps(header, sort_keys=True).encode()
        self._key = _derive(master, salt)
        self._out = out
        self._chunk_size = chunk_size
        self._buffer = bytearray()
        self._counter = 0
        self._closed = False
        out.write(MAGIC + struct.pack(">H", len(self._header)) + self._header)

    def write(self, data: bytes) -> None:
        self._buffer += data
        while len(self._buffer) > self._chunk_size:
            self._seal(bytes(self._buffer[: self._chunk_size]), last=False)
            del self._buffer[: self._chunk_size]

    def close(self) -> None:
        if not self._closed:
            self._seal(bytes(self._buffer), last=True)
            self._buffer.clear()
            self._closed = True

    def _seal(self, plain: bytes, *, last: bool) -> None:
        nonce = self._prefix + struct.pack(">Q", self._counter)
        encryptor = Cipher(algorithms.SM4(self._key), modes.GCM(nonce)).encryptor()
        encryptor.authenticate_additional_data(self._header + struct.pack(">QB", self._counter, last))
        sealed = encryptor.update(plain) + encryptor.finalize() + encryptor.tag
        self._out.write(_FRAME.pack(len(sealed), last) + sealed)
        self._counter += 1


class SealedReader:
    """Reads and authenticates frames in order; read(n) returns plaintext, raising on any tampering."""

    def __init__(self, src: IO[bytes], *, master: bytes | None = None) -> None:
        master = master or master_key()
        if src.read(len(MAGIC)) != MAGIC:
            raise SealedError("不是先锋备份文件")
        (length,) = struct.unpack(">H", _read_exact(src, 2))
        self._header = _read_exact(src, length)
        self.header: dict[str, Any] = json.loads(self._header)
        if self.header.get("format") != 1 or self.header.get("cipher") != "SM4-GCM":
            raise SealedError("不支持的备份格式")
        if self.header["key_id"] != key_id(master):
            raise SealedError(
                "备份密钥不匹配：此文件不是用当前 XIANFENG_BACKUP_KEY / XIANFENG_PII_KEY 加密的"
            )
        self._key = _derive(master, bytes.fromhex(self.header["salt"]))
        self._prefix = bytes.fromhex(self.header["nonce_prefix"])
        self._src = src
        self._counter = 0
        self._buffer = bytearray()
        self._pos = 0
        self._ended = False

    def read(self, size: int) -> bytes:
        while len(self._buffer) - self._pos < size and not self._ended:
            self._open_next()
        if len(self._buffer) - self._pos < size:
            raise SealedError("备份文件不完整（意外结束）")
        out = bytes(self._buffer[self._pos : self._pos + size])
        self._pos += size
        if self._pos > CHUNK_SIZE:
            del self._buffer[: self._pos]
            self._pos = 0
        return out

    def at_end(self) -> bool:
        while len(self._buffer) == self._pos and not self._ended:
            self._open_next()
        return self._ended and len(self._buffer) == self._pos

    def _open_next(self) -> None:
        head = self._src.read(_FRAME.size)
        if len(head) < _FRAME.size:
            raise SealedError("备份文件不完整（缺少结尾块）")
        length, last = _FRAME.unpack(head)
        sealed = _read_exact(self._src, length)
        nonce = self._prefix + struct.pack(">Q", self._counter)
        decryptor = Cipher(algorithms.SM4(self._key), modes.GCM(nonce, sealed[-_TAG:])).decryptor()
        decryptor.authenticate_additional_data(self._header + struct.pack(">QB", self._counter, last))
        try:
            plain = decryptor.update(sealed[:-_TAG]) + decryptor.finalize()
        except InvalidTag as exc:
            raise SealedError(f"备份文件第 {self._counter + 1} 块校验失败：文件被篡改或损坏") from exc
        self._buffer += plain
        self._counter += 1
        if last:
            if self._src.read(1):
                raise SealedError("备份文件结尾块之后还有多余数据")
            self._ended = True


def _read_exact(src: IO[bytes], n: int) -> bytes:
    data = src.read(n)
    if len(data) != n:
        raise SealedError("备份文件不完整（意外结束）")
    return data
