"""Storing uploads: type sniffed from the content, SHA-256 named, all-or-nothing."""

import hashlib
import io
import os
import tempfile
import zipfile
from pathlib import Path

from django.conf import settings

from onething.common.errors import Unprocessable

from .constants import MAX_UPLOAD_BYTES

ALLOWED = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "application/ofd": ".ofd",
}


def sniff(head: bytes, path: Path) -> str | None:
    """The content type from magic bytes; the client's claimed type is never trusted."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"PK\x03\x04") and _is_ofd(path):
        return "application/ofd"
    return None


def _is_ofd(path: Path) -> bool:
    # OFD (GB/T 33190) is a zip package whose root holds OFD.xml.
    try:
        with zipfile.ZipFile(path) as archive:
            return "OFD.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


def root() -> Path:
    return Path(settings.MEDIA_ROOT) / "cases"


def store(chunks, *, limit: int = MAX_UPLOAD_BYTES) -> dict:
    """Write chunks to a temp file, check them, then move into place; a failure leaves nothing."""
    root().mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=root(), prefix=".part-")
    try:
        digest, size, head = _copy(chunks, fd, limit)
        content_type = sniff(head, Path(tmp))
        if content_type is None:
            raise Unprocessable(
                "文件类型不支持，仅支持 PDF、JPEG、PNG、OFD", fields={"file": "文件类型不支持"}
            )
        relative = f"{digest[:2]}/{digest}{ALLOWED[content_type]}"
        target = root() / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return {"sha256": digest, "size": size, "content_type": content_type, "path": relative}


def _copy(chunks, fd: int, limit: int) -> tuple[str, int, bytes]:
    digest, size, head = hashlib.sha256(), 0, b""
    with os.fdopen(fd, "wb") as out:
        for chunk in chunks:
            size += len(chunk)
            if size > limit:
                raise Unprocessable(
                    f"文件过大，不能超过 {limit // (1024 * 1024)} MB", fields={"file": "文件过大"}
                )
            if len(head) < 16:
                head += chunk[: 16 - len(head)]
            digest.update(chunk)
            out.write(chunk)
    if size == 0:
        raise Unprocessable("文件为空", fields={"file": "文件为空"})
    return digest.hexdigest(), size, head


def open_upload(path: str):
    """Open a stored file; the path comes from our own row, and is checked to stay inside root."""
    full = (root() / path).resolve()
    if root().resolve() not in full.parents:
        raise Unprocessable("文件路径无效")
    return full.open("rb")


def bytes_chunks(data: bytes, size: int = 65536):
    stream = io.BytesIO(data)
    while chunk := stream.read(size):
        yield chunk
