"""Verification: walk the archives and the live table; name edited, deleted and inserted rows.

``verify()`` never seals. Rows still unsealed after the sealing grace period
(``ONETHING_AUDIT_SEAL_GRACE_SECONDS``) are a problem of their own.
"""

from dataclasses import dataclass, field

from django.utils import timezone

from ..models import AuditAnchor, AuditRecord
from .chain import GENESIS, _raw, digest, seal_grace
from .store import archive_dir, read_archive, sha256_file


@dataclass
class Problem:
    kind: str  # deleted | edited | inserted | unsealed | archive
    message: str
    seq: int | None = None
    id: int | None = None


@dataclass
class Report:
    checked: int = 0
    archived: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class _Walker:
    """Checks rows in seq order against the previous one; names what is wrong."""

    def __init__(self, report: Report, seq: int, prev_hash: str, where: str = ""):
        self.report, self.next_seq, self.prev_hash, self.where = report, seq + 1, prev_hash, where
        self.prev_row: AuditRecord | None = None

    def step(self, row: AuditRecord) -> None:
        report, where = self.report, self.where
        gap = row.seq > self.next_seq
        if gap:
            span = f"{self.next_seq}" + (f"–{row.seq - 1}" if row.seq - 1 > self.next_seq else "")
            report.problems.append(
                Problem("deleted", f"{where}第 {span} 条审计记录缺失（已被删除）", self.next_seq)
            )
        if digest(row.prev_hash, row) != row.hash:
            report.problems.append(
                Problem(
                    "edited",
                    f"{where}第 {row.seq} 条审计记录（id={row.id}）内容与摘要不符（已被修改或伪造）",
                    row.seq,
                    row.id,
                )
            )
        elif row.prev_hash != self.prev_hash and not gap:
            self._broken_link(row)
        self.prev_hash, self.next_seq, self.prev_row = row.hash, row.seq + 1, row
        report.checked += 1
        report.head_seq, report.head_hash = row.seq, row.hash

    def _broken_link(self, row: AuditRecord) -> None:
        before = self.prev_row
        if before is not None:
            message = (
                f"{self.where}第 {before.seq} 条审计记录（id={before.id}）不在原链上"
                f"（被插入或替换），第 {row.seq} 条记录指向的是另一条记录"
            )
            self.report.problems.append(Problem("inserted", message, before.seq, before.id))
        else:
            message = f"{self.where}第 {row.seq} 条审计记录（id={row.id}）与归档锚点不衔接"
            self.report.problems.append(Problem("inserted", message, row.seq, row.id))


def verify(*, archives: bool = True) -> Report:
    """Walk archives (if asked) then the live table; every broken link becomes a Problem.

    Never seals: sealing first would bless a row forged before its seal. A row still unsealed
    after the grace period is itself a problem (edited or inserted before sealing, or the
    worker is not running: `onething audit seal` then chains them and records that it did).
    """
    report = Report()
    anchors = list(AuditAnchor.objects.order_by("last_seq"))
    if archives:
        _verify_archives(report, anchors)
    start_seq, start_hash = (
        (anchors[-1].last_seq, anchors[-1].last_hash) if anchors else (0, GENESIS)
    )
    report.head_seq, report.head_hash = start_seq, start_hash
    walker = _Walker(report, start_seq, start_hash)
    for row in _raw().filter(seq__isnull=False).order_by("seq").iterator(chunk_size=2000):
        walker.step(row)
    _verify_unsealed(report)
    return report


def _verify_unsealed(report: Report) -> None:
    stale = _raw().filter(seq__isnull=True, created_at__lt=timezone.now() - seal_grace())
    ids = list(stale.order_by("id").values_list("id", flat=True)[:20])
    if ids:
        count = stale.count()
        seconds = int(seal_grace().total_seconds())
        report.problems.append(
            Problem(
                "unsealed",
                f"{count} 条审计记录超过 {seconds} 秒仍未加入哈希链（入链前可能被修改，"
                f"或 worker 未运行）：id={', '.join(map(str, ids))}",
                id=ids[0],
            )
        )


def _verify_archives(report: Report, anchors: list[AuditAnchor]) -> None:
    prev_seq, prev_hash = 0, GENESIS
    for anchor in anchors:
        where = f"归档 {anchor.file_name}："
        if anchor.first_seq != prev_seq + 1 or anchor.start_prev_hash != prev_hash:
            report.problems.append(Problem("deleted", f"{where}与上一归档不衔接（锚点缺失或被改）"))
        path = archive_dir() / anchor.file_name
        if not path.exists():
            report.problems.append(Problem("archive", f"{where}文件缺失"))
        elif sha256_file(path) != anchor.file_sha256:
            report.problems.append(Problem("archive", f"{where}文件摘要与锚点不符（被修改）"))
        else:
            walker = _Walker(report, anchor.first_seq - 1, anchor.start_prev_hash, where)
            for row in read_archive(path):
                walker.step(row)
                report.archived += 1
            if walker.prev_hash != anchor.last_hash or walker.next_seq != anchor.last_seq + 1:
                report.problems.append(Problem("archive", f"{where}末条记录与锚点不符"))
        prev_seq, prev_hash = anchor.last_seq, anchor.last_hash
