from datetime import datetime
from typing import Any

from ninja import Field, Schema

from onething.common.inputs import FiniteFloat


class FiltersOut(Schema):
    region: str
    region_name: str
    onething: str
    month_from: str = Field(alias="from")
    month_to: str = Field(alias="to")


class FiltersIn(Schema):
    """The dashboard filters (query parameters); ``selectors.filters_parse`` validates them."""

    region: str | None = Field(
        None, description="行政区划代码（6 位数字）；默认本人所在区划，只能是本区划或下级"
    )
    onething: str | None = Field(None, description="一件事编码；默认全部")
    month_from: str | None = Field(
        None, alias="from", description="起始月份 YYYY-MM；默认截止月份前 11 个月（共 12 个月）"
    )
    month_to: str | None = Field(
        None, alias="to", description="截止月份 YYYY-MM；默认本月。区间最长 60 个月"
    )

    def params(self) -> dict:
        return {
            "region": self.region,
            "onething": self.onething,
            "from": self.month_from,
            "to": self.month_to,
        }


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
    condition: Any = Field(
        description="JsonLogic 对象（已知运算符，最多 2000 个节点）；可引用的属性见 docs/supervision.md"
    )
    threshold: FiniteFloat = 0
    enabled: bool = True
    description: str = Field("", max_length=2000)
    region: str | None = Field(
        None,
        max_length=6,
        description="适用区划代码；空字符串为全省（仅省级监督人员）；省略时保持原值，新规则为本人区划",
    )


class RuleOut(Schema):
    code: str
    name: str
    target: str
    level: str
    condition: Any
    threshold: float
    enabled: bool
    description: str
    region: str | None = Field(None, description="适用区划代码，null 为全省")
    region_name: str = ""
    editable: bool = Field(False, description="当前用户能否修改")
