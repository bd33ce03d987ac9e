"""Bulk import/export of policies (JSON, xlsx one row per policy) and disbursement files."""

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

from onething.common.errors import DomainError
from onething.common.security import mask_id_number, mask_name

from .constants import GrantStatus
from .models import GrantBatch, Policy

COLUMNS = (
    "code",
    "title",
    "subject",
    "category",
    "mode",
    "recurrence",
    "department",
    "department_kind",
    "source",
    "clause",
    "summary",
    "tags",
    "valid_from",
    "valid_until",
    "eligibility",
    "benefit",
    "benefit_text",
    "confirmations",
)
JSON_COLUMNS = {"tags", "eligibility", "benefit", "confirmations"}
DISBURSE_HEADER = [
    "序号",
    "对象标识",
    "姓名/名称",
    "证件号码",
    "区划代码",
    "期次",
    "金额（元）",
    "政策编码",
    "政策版本",
]


def policy_document(policy: Policy) -> dict:
    v = policy.current
    doc = {
        "code": policy.code,
        "subject": policy.subject,
        "category": policy.category,
        "mode": policy.mode,
        "recurrence": policy.recurrence,
    }
    for name in COLUMNS:
        if name not in doc:
            doc[name] = getattr(v, name)
    for name in ("valid_from", "valid_until"):
        doc[name] = doc[name].isoformat() if doc[name] else None
    return doc


def export_json(policies) -> str:
    return json.dumps([policy_document(p) for p in policies], ensure_ascii=False, indent=1)


def export_xlsx(policies) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "政策库"
    sheet.append(list(COLUMNS))
    for policy in policies:
        doc = policy_document(policy)
        sheet.append([_cell(name, doc[name]) for name in COLUMNS])
    return _save(book)


def _cell(name: str, value):
    if name in JSON_COLUMNS:
        return None if value is None else json.dumps(value, ensure_ascii=False)
    return value


def _save(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read_json(data: bytes) -> list:
    try:
        items = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DomainError(
            f"JSON 文件无法解析：{error}", fields={"file": "应为合法的 JSON"}
        ) from error
    return items


def read_xlsx(data: bytes) -> list:
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True).active
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise DomainError("xlsx 文件无法读取", fields={"file": str(error)[:200]}) from error
    rows = list(sheet.iter_rows(values_only=True))
    header = [str(h or "").strip() for h in rows[0]] if rows else []
    return [_row(header, row, n) for n, row in enumerate(rows[1:], 2) if any(row)]


def _row(header: list[str], row, line: int) -> dict:
    item = {}
    for name, value in zip(header, row, strict=False):
        if name in JSON_COLUMNS and isinstance(value, str) and value.strip():
            try:
                value = json.loads(value)
            except json.JSONDecodeError as error:
                raise DomainError(
                    f"第 {line} 行 {name} 不是合法的 JSON",
                    fields={f"{line}.{name}": "应为合法的 JSON"},
                ) from error
        item[name] = value if value != "" else None
    return item


def read_file(path: str | Path) -> list:
    path = Path(path)
    data = path.read_bytes()
    return read_xlsx(data) if path.suffix.lower() == ".xlsx" else read_json(data)


# ---- disbursement ---------------------------------------------------------------------------


def disbursement_note(batch: GrantBatch, *, full: bool) -> str:
    """The statement every disbursement file carries: which personal fields, masked or not."""
    if batch.policy.subject != "person":
        return (
            "说明：本清单为经营主体发放名单，含名称、统一社会信用代码（完整），不含个人信息。"
            "仅用于资金发放，请勿外传。"
        )
    if full:
        return (
            "说明：本清单含个人信息——姓名、公民身份号码（均为完整值，未脱敏），仅用于资金发放；"
            "下载已记入审计日志，请按个人信息保护要求保管，用后销毁，不得外传。"
        )
    return (
        "说明：本清单含个人信息——姓名、公民身份号码，均已脱敏（仅供核对，不能用于发放）；"
        "完整清单由政策主管部门或数据局下载。"
    )


def disbursement_rows(batch: GrantBatch, *, full: bool = False, prefix: str = ""):
    """One row per beneficiary of the area ``prefix`` (a region code's prefix; all when empty);
    persons' names and ID numbers masked unless ``full``."""
    grants = batch.grants.filter(status=GrantStatus.GRANTED, region_code__startswith=prefix)
    grants = grants.select_related("person", "entity")
    for n, grant in enumerate(grants.order_by("region_code", "id"), 1):
        holder = grant.person or grant.entity
        is_person = grant.person_id is not None
        number = holder.id_number if is_person else getattr(holder, "credit_code", "")
        name = grant.holder_name
        if is_person and not full:
            number, name = mask_id_number(number), mask_name(name)
        yield [
            n,
            grant.holder_key,
            name,
            number,
            grant.region_code,
            grant.period,
            f"{grant.amount:.2f}",
            batch.policy.code,
            batch.version.number,
        ]


def disbursement_csv(batch: GrantBatch, *, full: bool = False, prefix: str = "") -> str:
    """The statement first, then the header row and the beneficiaries."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([disbursement_note(batch, full=full)])
    writer.writerow(DISBURSE_HEADER)
    writer.writerows(disbursement_rows(batch, full=full, prefix=prefix))
    return "\ufeff" + out.getvalue()  # a BOM so that Excel opens the Chinese correctly


def disbursement_xlsx(batch: GrantBatch, *, full: bool = False, prefix: str = "") -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = f"{batch.period}发放清单"
    sheet.append([disbursement_note(batch, full=full)])
    sheet.append(DISBURSE_HEADER)
    total = Decimal(0)
    for row in disbursement_rows(batch, full=full, prefix=prefix):
        sheet.append(row)
        total += Decimal(row[6])
    sheet.append(["合计", "", "", "", "", "", f"{total:.2f}", "", ""])
    return _save(book)
