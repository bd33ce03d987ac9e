from datetime import date, datetime

from ninja import Field, Schema


class LicenseOut(Schema):
    identifier: str
    license_type: str
    license_type_name: str
    holder_kind: str
    holder: str  # name and masked number
    department: str
    issued_on: date
    valid_until: date | None
    status: str
    status_label: str
    sealed: bool
    data: dict
    case_number: str


class SealOut(Schema):
    algorithm: str
    key_id: str
    public_key: str
    manifest: dict | None
    digest: str
    signature: str
    signed_at: str | None


class LicenseDetail(LicenseOut):
    seal: SealOut
    verify_url: str


class VerifyOut(Schema):
    identifier: str
    valid: bool
    seal_valid: bool
    status: str | None
    status_label: str | None
    reasons: list[str]
    license_type_name: str | None = None
    holder: str | None = None
    department: str | None = None
    issued_on: date | None = None
    valid_until: date | None = None


class PrefillValue(Schema):
    value: str | int | float | bool | None
    source: str
    source_label: str
    read_only: bool


class Exemption(Schema):
    kind: str
    license: str | None
    license_type: str | None
    reason: str


class PrefillIn(Schema):
    applicant: str = Field(
        "",
        max_length=64,
        description="窗口代办：申请人的公民身份号码或统一社会信用代码（须已扫码授权）；申请人本人留空",
    )
    answers: dict = Field(default_factory=dict, description='情形答案，如 {"big": "no"}')


class PrefillOut(Schema):
    onething: str
    version: int
    holder: str
    prefill: dict[str, PrefillValue]
    exemptions: dict[str, Exemption]


class UsageOut(Schema):
    created_at: datetime
    actor: str
    purpose: str
    case_number: str
    licenses: list[str]
    fields: list[str]


class HolderCodeOut(Schema):
    code: str
    expires_in: int


class ScanIn(Schema):
    code: str


class HolderOut(Schema):
    kind: str
    name: str
    number: str  # masked for persons
    licenses: list[LicenseOut]
