from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Schema


class PolicyOut(Schema):
    code: str
    title: str
    subject: str
    category: str
    mode: str
    recurrence: str
    department: str
    summary: str
    benefit_text: str
    version: int
    tags: list[str]
    valid_until: date | None = None


class PolicyDetailOut(PolicyOut):
    source: str
    clause: str
    eligibility: Any
    benefit: Any = None
    confirmations: list[str]
    conditions: list[str]
    qualified_by_region: list[dict]


class FindingOut(Schema):
    code: str
    title: str
    subject: str
    mode: str
    conditions: list[str]
    failed: list[str]
    amount: Any = None


class MyPoliciesOut(Schema):
    matches: list[FindingOut]
    near_misses: list[FindingOut]


class RunIn(Schema):
    kind: str = "match"
    period: str = ""


class RunOut(Schema):
    id: int
    policy: str
    version: int
    kind: str
    period: str
    status: str
    job_id: int | None = None
    stats: dict
    error: str
    created_at: datetime
    finished_at: datetime | None = None


class GrantOut(Schema):
    id: int
    period: str
    amount: Decimal
    status: str
    policy: str
