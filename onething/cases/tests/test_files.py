import io
import zipfile

import pytest

from onething.cases import files
from onething.common.errors import Unprocessable


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def ofd(with_root=True) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("OFD.xml" if with_root else "other.xml", "<ofd:OFD/>")
    return buf.getvalue()


@pytest.mark.parametrize(
    "content,kind",
    [
        (b"%PDF-1.7 x", "application/pdf"),
        (b"\xff\xd8\xff\xe0x", "image/jpeg"),
        (ofd(), "application/ofd"),
    ],
)
def test_types_come_from_content(content, kind):
    assert files.store([content])["content_type"] == kind


@pytest.mark.parametrize("content", [ofd(False), b"<html>", b""])
def test_other_content_is_refused_and_leaves_nothing(content, tmp_path):
    with pytest.raises(Unprocessable):
        files.store([content])
    assert not [p for p in (tmp_path / "cases").rglob("*") if p.is_file()]


def test_size_limit_midway_leaves_nothing(tmp_path):
    with pytest.raises(Unprocessable):
        files.store([b"%PDF-" + b"0" * 100, b"0" * 100], limit=150)
    assert not [p for p in (tmp_path / "cases").rglob("*") if p.is_file()]


def test_same_content_is_stored_once():
    a, b = files.store([b"%PDF-1 same"]), files.store([b"%PDF-1 same"])
    assert a["path"] == b["path"] and a["sha256"] == b["sha256"]
