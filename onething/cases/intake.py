"""A submission as typed values: the holder it is for, and everything prepared before writing.

Built once while a submission is prepared (``services.preparation``) and read when the case is
written (``services.submission``), so a misspelt field fails at once instead of reading ``None``.
"""

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Holder:
    kind: str  # "person" | "entity"
    name: str
    id_number: str = ""
    credit_code: str = ""
    user: object = None  # the applicant's account, when they have one
    person: object = None  # the registry's record, when it was read (with consent)
    entity: object = None
    region: object = None  # accounts' Region the case is processed in by default
    licences: list = field(default_factory=list)  # valid licences on ``licences_on``
    licences_on: date | None = None


@dataclass(frozen=True)
class Submission:
    """What preparing a submission found, read only: the case is written from this alone."""

    version: object  # catalog's OneThingVersion
    blueprint: dict  # the compiled blueprint (catalog.selectors.blueprint)
    holder: Holder
    form: dict
    prefilled: dict  # form fields taken from the registry, with their sources
    rows: list  # material rows (checks.material_rows)
    problems: list
    channel: str
    accept_region: object
    process_region: object
