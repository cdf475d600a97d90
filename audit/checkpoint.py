"""The signed checkpoint of the audit chain's head, kept outside the database.

The chain proves that every row it reaches is untouched, but rows cut from its END (the last rows, or
all of them, deleted by someone who dropped the triggers) leave a shorter chain that still verifies. So
the head (the newest row's id and chain value, and the number of rows since the purge anchor) is also
kept in a file, XIANFENG_AUDIT_CHECKPOINT (var/audit-checkpoint.json, mode 0600): the database role
cannot reach it, and the file is signed with HMAC-SM3 under a key derived from the chain key, so an
edited or forged checkpoint is reported instead of trusted.

audit_verify, backup, audit_purge and an hourly job (audit.tasks, declared in ops.jobs) advance the
checkpoint, each only after checking that the chain still reaches the checkpointed head: a cut is never
written over. Each head written is echoed to the log (logger xianfeng.audit), a third copy off the
database. A retention purge cuts a PREFIX: a checkpointed row that the purge anchor covers may be gone.
"""

from __future__ import annotations

import datetime as dt
import hmac
import json
import logging
import os
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from django.conf import settings
from django.utils import timezone

from audit import chain
from audit.models import AuditEvent
from audit.services import record_event
from personal.files import open_private

logger = logging.getLogger("xianfeng.audit")
_LABEL = b"xianfeng audit checkpoint v1"


class CheckpointError(Exception):
    """The checkpoint file cannot be read or written, or its signature does not match."""


@dataclass(frozen=True)
class Head:
    anchor_id: int  # the last purged row's id (0 before any purge)
    last_id: int  # the newest row's id (the anchor's id when no row follows it)
    last_hmac: str
    count: int  # rows after the anchor


@dataclass(frozen=True)
class Checkpoint(Head):
    written_at: str


def path() -> Path:
    return Path(settings.XIANFENG_AUDIT_CHECKPOINT)


def head(using: str = "default") -> Head:
    anchor_id, anchor_hmac = chain.anchor(using)
    # Sealed rows only: on PostgreSQL the newest rows wait for the sealer (audit.chain.seal).
    rows = AuditEvent.objects.using(using).filter(id__gt=anchor_id).exclude(chain_hmac="")
    last = rows.order_by("-id").values_list("id", "chain_hmac").first()
    last_id, last_hmac = last if last is not None else (anchor_id, anchor_hmac)
    return Head(anchor_id, last_id, last_hmac, rows.count())


def _sign(body: dict[str, Any]) -> str:
    key = crypto_hmac.HMAC(chain.chain_key(), hashes.SM3())
    key.update(_LABEL)
    mac = crypto_hmac.HMAC(key.finalize(), hashes.SM3())
    mac.update(json.dumps(body, sort_keys=True, separators=(",", ":")).encode())
    return mac.finalize().hex()


def read() -> Checkpoint | None:
    """The checkpoint, None when none was written yet; CheckpointError when it is unreadable or forged."""
    file = path()
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise CheckpointError(f"审计链检查点 {file} 无法读取：{exc}") from exc
    signature = data.pop("signature", "") if isinstance(data, dict) else ""
    if not isinstance(signature, str) or not hmac.compare_digest(signature, _sign(data)):
        raise CheckpointError(
            f"审计链检查点 {file} 的签名不符：文件被伪造或改动（或审计密钥已更换），不能据此确认审计链末尾完整"
        )
    try:
        return Checkpoint(**data)
    except TypeError as exc:
        raise CheckpointError(f"审计链检查点 {file} 的内容不完整：{exc}") from exc


def write(current: Head) -> Checkpoint:
    """Replace the checkpoint atomically (owner-only file) and echo the head to the log."""
    checkpoint = Checkpoint(**asdict(current), written_at=timezone.now().isoformat(timespec="seconds"))
    body = asdict(checkpoint)
    body["signature"] = _sign(asdict(checkpoint))
    file = path()
    tmp = file.with_name(f"{file.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")  # writers never share it
    try:
        with open_private(tmp, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(body, ensure_ascii=False, sort_keys=True, indent=1))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, file)
    except OSError as exc:
        raise CheckpointError(f"无法写入审计链检查点 {file}：{exc.strerror or exc}") from exc
    logger.info(
        "审计链末端：第 %s 条，链式校验值 %s，锚点之后共 %s 条（锚点 %s）",
        current.last_id,
        current.last_hmac,
        current.count,
        current.anchor_id,
    )
    return checkpoint


def missing_tail(checkpoint: Checkpoint, current: Head, using: str = "default") -> str:
    """Why the chain no longer reaches the checkpointed head, in words; "" when it does."""
    target = checkpoint.last_id
    if checkpoint.count == 0 and checkpoint.last_id == checkpoint.anchor_id:
        return ""  # the chain was empty then
    if target <= current.anchor_id:
        # Purged since: legitimate only if the purge wrote its anchor into the chain.
        return "" if chain.anchor_recorded(using) else "清理锚点未记录在审计链中（锚点表被改动）"
    when = _local(checkpoint.written_at)
    was = f"检查点（{when}）记录的末端为第 {target} 条、锚点之后共 {checkpoint.count} 条"
    if not AuditEvent.objects.using(using).exists():
        return f"审计链被清空：{was}，现在一条审计记录也没有，缺少全部 {checkpoint.count} 条"
    if current.last_id < target:
        gone = target - current.last_id
        return (
            f"审计链末尾被截断：{was}，现在末端为第 {current.last_id} 条、共 {current.count} 条，"
            f"缺少第 {current.last_id + 1} 至 {target} 条（{gone} 条）"
        )
    row = AuditEvent.objects.using(using).filter(id=target).values_list("chain_hmac", flat=True).first()
    if row is None:
        # Later rows chain on from the cut (PostgreSQL ids come from a sequence: the cut ones never return).
        return f"审计链末尾被截断后又续写：{was}，第 {target} 条已不在审计表中，现在的末端第 {current.last_id} 条是之后写入的"
    if not hmac.compare_digest(row, checkpoint.last_hmac):
        return (
            f"审计链末尾被截断后又续写：{was}，现在第 {target} 条的链式校验值与检查点不符"
            "（原末尾的记录被删除，由之后写入的记录顶替）"
        )
    if checkpoint.anchor_id == current.anchor_id:
        upto = (
            AuditEvent.objects.using(using)
            .filter(id__gt=current.anchor_id, id__lte=target)
            .exclude(chain_hmac="")
            .count()
        )
        if upto != checkpoint.count:
            return f"审计记录条数不符：{was}，现在到第 {target} 条为止共 {upto} 条"
    return ""


def check(using: str = "default") -> tuple[Head, str]:
    """The current head, and why it does not extend the checkpoint ("" when it does or there is none)."""
    current = head(using)
    checkpoint = read()
    if checkpoint is None:
        if current.count:
            logger.warning(
                "审计链检查点 %s 不存在，按当前末端新建（若不是首次运行，说明检查点文件被删除）", path()
            )
        return current, ""
    return current, missing_tail(checkpoint, current, using)


def advance(using: str = "default") -> str:
    """Move the checkpoint to the current head; when the chain lost its tail, keep the old one (evidence),
    log the loss and return it in words."""
    try:
        current, problem = check(using)
        if not problem:
            write(current)
            return ""
    except CheckpointError as exc:
        problem = str(exc)
    logger.error("审计链检查失败：%s", problem)
    return problem


def _local(stamp: str) -> str:
    try:
        return f"{timezone.localtime(dt.datetime.fromisoformat(stamp)):%Y-%m-%d %H:%M}"
    except ValueError:
        return stamp


def reset(*, operator: str, using: str = "default") -> Checkpoint:
    """Start the checkpoint afresh at the current head (after a deliberate restore from backup or a new
    database), leaving the old and new heads in the trail itself. Call only after chain.verify passed."""
    try:
        old = read()
        before: dict[str, Any] = asdict(old) if old is not None else {"checkpoint": "无"}
    except CheckpointError as exc:
        before = {"checkpoint": str(exc)}
    now = head(using)
    record_event(
        actor=None,
        actor_name=operator,
        action=AuditEvent.Action.UPDATE,
        target_repr="审计链检查点（重置）",
        summary={"before": before, "head": asdict(now)},
    )
    logger.warning("审计链检查点由 %s 重置；原检查点：%s", operator, before)
    return write(head(using))
