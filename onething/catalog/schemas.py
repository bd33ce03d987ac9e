from ninja import Schema


class Reductions(Schema):
    time: float
    materials: float
    steps: float
    visits: float


class OneThingSummary(Schema):
    code: str
    name: str
    subject: str
    stage: str
    version: int
    status: str
    item_count: int
    department_count: int
    reductions: Reductions
    figures: dict
    meets_target: bool
    shortfalls: list[str]


class Blueprint(Schema):
    """The compiled one-thing: see docs/catalog-format.md for the shape of each part."""

    onething: dict
    answers: dict
    questions: list[dict]
    items: list[dict]
    excluded_items: list[str]
    excluded: list[dict] = []
    form: dict
    materials: list[dict]
    process: dict
    fee: str
    online_level: str | None
    cross_region: str | None
    reductions: dict
    faq: list[dict]
