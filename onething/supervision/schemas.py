from datetime import datetime
from typing import Any

from ninja import Field, Schema


class FiltersOut(Schema):
    region: str
    region_name: str
    onething: str
    month_from: str = Field(alias="from")
    month_to: str = Field(alias="to")


class ColumnOut(Schema):
    key: str
    label: str
    kind: str = Field(description="int | num | pct | text")


class PanelOut(Schema):
    key: str
    title: str
    columns: list[ColumnOut]
    rows: list[dict[str, Any]]
    chart: dict[str, Any] | None = None
    summary: dict[str, Any] = Field(default_factory=dict)
    note: str = ""


class DashboardOut(Schema):
    filters: dict[str, Any]
    panels: list[PanelOut]


class WarningOut(Schema):
    id: int
    rule: str
    level: str
    level_label: str
    target: str
    target_id: str
    title: str
    link: str
    department: str | None
    status: str
    status_label: str
    raised_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    note: str


class NoteIn(Schema):
    note: str = Field("", max_length=2000, description="处理说明（解除时必填）")


class RuleIn(Schema):
    name: str = Field(max_length=128)
    target: str = Field(description="case | task | commitment | ticket")
    level: str = Field(description="yellow | red")
    condition: Any = Field(description="JsonLogic；可引用的属性见 docs/supervision.md")
    threshold: float = 0
    enabled: bool = True
    description: str = ""


class RuleOut(Schema):
    code: str
    name: str
    target: str
    level: str
    condition: Any
    threshold: float
    enabled: bool
    description: str
