"""The licence as a PDF: face data, seal and a QR code that opens the public verify page."""

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.units import mm

from onething.common import pdf

from . import presenters
from .models import License


def qr_drawing(text: str, size_mm: float = 36) -> Drawing:
    widget = QrCodeWidget(text)
    x1, y1, x2, y2 = widget.getBounds()
    size = size_mm * mm
    drawing = Drawing(size, size, transform=[size / (x2 - x1), 0, 0, size / (y2 - y1), 0, 0])
    drawing.add(widget)
    return drawing


def license_pdf(lic: License) -> bytes:
    url = presenters.verify_url(lic.identifier)
    rows = [
        ["项目", "内容"],
        ["证照标识", lic.identifier],
        ["持证主体", presenters.holder_label(lic)],
    ]
    rows += [[name, value] for name, value in presenters.face_rows(lic)]
    rows += [
        ["发证部门", lic.department.name],
        ["发证日期", str(lic.issued_on)],
        ["有效期至", str(lic.valid_until or "长期")],
        ["状态", lic.get_status_display()],
    ]
    seal = [
        ["电子印章", f"SM2-SM3 · {lic.seal_key.key_id if lic.seal_key else '待签章'}"],
        ["SM3摘要", lic.digest or "—"],
        ["SM2签名", lic.signature or "—"],
    ]
    flow = [
        pdf.para(lic.license_type.name, pdf.TITLE),
        pdf.table(rows, widths=[40 * mm, 134 * mm]),
        pdf.spacer(),
        pdf.table([["签章", ""], *seal], widths=[40 * mm, 134 * mm]),
        pdf.spacer(),
        qr_drawing(url),
        pdf.para(
            f"扫码或访问 {url} 核验真伪。本件由发证部门电子印章签发，与纸质证照具有同等效力。",
            pdf.SMALL,
        ),
    ]
    return pdf.build(flow, title=f"{lic.license_type.name} {lic.identifier}")
