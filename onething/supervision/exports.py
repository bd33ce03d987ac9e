"""Dashboard panels as an xlsx workbook: one sheet per panel, the figures as shown."""

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font

from .selectors import Filters

# Every export states which personal fields it carries (docs/security.md): these carry none.
PERSONAL_DATA_NOTE = "不含：仅为汇总统计数据，无姓名、证件号码、电话等个人信息"


def _sheet_title(title: str, used: set[str]) -> str:
    # Excel limits sheet names to 31 characters and forbids a few symbols.
    clean = "".join(c for c in title if c not in "[]:*?/\\")[:31]
    name, n = clean, 2
    while name in used:
        name, n = f"{clean[:28]}_{n}", n + 1
    used.add(name)
    return name


def _write(ws, panel: dict, f: Filters) -> None:
    ws.append([panel["title"]])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(["地区", f.region.full_name, "月份", f"{f.month_from:%Y-%m} 至 {f.month_to:%Y-%m}"])
    ws.append(["个人信息", PERSONAL_DATA_NOTE])
    if f.onething:
        ws.append(["一件事", f.onething])
    for name, value in panel["summary"].items():
        ws.append([name, value])
    if panel["note"]:
        ws.append(["说明", panel["note"]])
    ws.append([])
    if panel["columns"]:
        ws.append([c["label"] + ("（%）" if c["kind"] == "pct" else "") for c in panel["columns"]])
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
        for row in panel["rows"]:
            ws.append([row.get(c["key"]) for c in panel["columns"]])
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 28


def workbook(panels: list[dict], f: Filters) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for panel in panels:
        _write(wb.create_sheet(_sheet_title(panel["title"], used)), panel, f)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def filename(f: Filters, key: str = "all") -> str:
    return f"supervision-{f.region.code}-{f.month_from:%Y%m}-{f.month_to:%Y%m}-{key}.xlsx"
