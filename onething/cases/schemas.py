from datetime import date, datetime

from ninja import Field, Schema


class MaterialIn(Schema):
    material: str
    file_id: str


class CommitmentIn(Schema):
    material: str
    due_date: str = Field(description="承诺补交期限 YYYY-MM-DD")


class CaseIn(Schema):
    onething: str = Field(description="一件事编码")
    answers: dict = Field(default_factory=dict, description="情形答案")
    applicant: dict = Field(
        default_factory=dict,
        description="窗口代办时的申请人：{code: 亮码} 或 {name, id_number | credit_code, region}；申请人本人提交时留空",
    )
    form: dict = Field(default_factory=dict, description="一张表单：数据元编码 → 值")
    materials: list[MaterialIn] = Field(default_factory=list)
    commitments: list[CommitmentIn] = Field(
        default_factory=list, description="告知承诺：容缺后补的材料"
    )
    channel: str = Field("api", description="portal | window | api")
    accept_region: str | None = Field(None, description="受理地区划代码（跨域通办时与办理地不同）")


class FileOut(Schema):
    id: str
    sha256: str
    size: int
    content_type: str


class CaseMaterialOut(Schema):
    material: str
    name: str
    state: str
    file_id: str | None = None
    exemption: dict = {}


class CommitmentOut(Schema):
    id: int
    material: str
    name: str
    due_date: date
    status: str


class TaskOut(Schema):
    id: int
    case: str
    case_title: str
    item: str
    name: str
    department: str
    stage: int
    requires: list[str]
    status: str
    status_label: str
    data: dict
    result: dict
    opinion: str
    deadline: date | None = None
    warning: str
    flagged: bool


class DocumentOut(Schema):
    id: int
    kind: str
    title: str
    department: str | None = None
    sha256: str
    sealed: bool
    url: str


class CaseOut(Schema):
    number: str
    status: str
    status_label: str
    onething: str
    title: str
    version: int
    channel: str
    accept_region: str
    process_region: str
    applicant: dict
    form: dict
    answers: dict
    problems: list[str]
    tolerance: bool
    flagged: bool
    reason: str
    deadline: date | None = None
    submitted_at: datetime
    accepted_at: datetime | None = None
    finished_at: datetime | None = None
    materials: list[CaseMaterialOut]
    commitments: list[CommitmentOut]
    tasks: list[TaskOut]
    documents: list[DocumentOut]


class CaseBrief(Schema):
    number: str
    status: str
    status_label: str
    title: str
    accept_region: str
    process_region: str
    submitted_at: datetime
    deadline: date | None = None


class EventOut(Schema):
    id: int
    verb: str
    label: str
    at: datetime
    actor: str
    data: dict


class AcceptanceIn(Schema):
    decision: str = Field(description="accept | accept_with_tolerance | correct | refuse")
    reason: str = ""
    problems: list[str] = Field(default_factory=list, description="一次性告知的全部问题")


class DecisionIn(Schema):
    decision: str = Field(description="approve | refuse | supplement")
    opinion: str = ""
    result: dict = Field(default_factory=dict, description="办理结果数据（如证照照面信息）")


class SupplementIn(Schema):
    form: dict = Field(default_factory=dict)
    files: dict[str, str] = Field(default_factory=dict, description="材料编码 → 文件 id")
    note: str = ""


class FulfilIn(Schema):
    file_id: str


class DocumentVerifyOut(Schema):
    sha256: str
    sealed: bool
    valid: bool
    seal: dict
