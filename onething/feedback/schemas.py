from datetime import date, datetime

from ninja import Schema


class RatingIn(Schema):
    target: str = "case"
    case_number: str = ""
    onething: str = ""
    department: str = ""
    level: int
    tags: list[str] = []
    comment: str = ""
    channel: str = ""
    token: str = ""


class RerateIn(Schema):
    level: int
    tags: list[str] = []
    comment: str = ""


class RectificationOut(Schema):
    id: int
    status: str
    status_label: str
    department: str
    deadline: date
    verification: str
    measures: str
    reply: str
    check_note: str
    visit_result: str
    visit_note: str


class RatingOut(Schema):
    id: int
    target: str
    case_number: str | None
    department: str
    level: int
    level_label: str
    first_level: int
    tags: list[str]
    comment: str
    channel: str
    created_at: datetime
    rerated_at: datetime | None
    rectification: RectificationOut | None


class ReplyIn(Schema):
    verification: str
    measures: str
    reply: str


class CheckIn(Schema):
    approve: bool
    note: str = ""


class VisitIn(Schema):
    result: str
    note: str


class RatingMetricsOut(Schema):
    region: str
    start: datetime
    end: datetime
    ratings: int
    good: int
    bad: int
    good_rate: float | None
    rectified: int
    rectification_rate: float | None
    visited: int
    visit_rate: float | None
    completed_cases: int
    rated_cases: int
    coverage_rate: float | None
    by_level: dict[str, int]


class TicketIn(Schema):
    contact_name: str
    contact_phone: str = ""
    content: str
    region: str
    location: str = ""
    category: str
    subcategory: str
    urgency: str = "normal"
    related_case: str = ""
    source: str = "api"


class TransitionIn(Schema):
    action: str
    department: str = ""
    note: str = ""
    satisfaction: str = ""
    contacted: bool = True


class TicketBrief(Schema):
    id: int
    number: str
    status: str
    status_label: str
    category: str
    subcategory: str
    urgency: str
    region: str
    department: str | None
    escalations: int
    created_at: datetime
    handle_due: datetime | None


class TicketEventOut(Schema):
    verb: str
    label: str
    at: datetime
    actor: str
    data: dict


class SimilarOut(Schema):
    id: int
    number: str
    score: float
    content: str


class TicketOut(TicketBrief):
    source: str
    contact_name: str
    contact_phone: str
    content: str
    location: str
    related_case: str
    suggested_department: str | None
    routed_by: str | None
    sign_due: datetime | None
    signed_at: datetime | None
    feedback_due: datetime | None
    feedback: str
    result: str
    return_reason: str
    satisfaction: str
    merged_into: str | None
    actions: list[str]
    timeline: list[TicketEventOut]
    similar: list[SimilarOut]
