"""Demo data: synthetic registries with their licences, and the demo users' own records.

Bulk rows are written with bulk_create and left *unsealed*: pure-Python SM2 costs ~15 ms a licence,
so ~20,000 licences would take five minutes. They carry no signature until the worker's
``registry.seal_pending`` job signs them in batches (the verify page says so meanwhile: "签章排队中").
The demo users' licences are sealed at once, so the walkthrough verifies as 有效 immediately.
"""

import time
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from onething.accounts.models import Department, User
from onething.catalog.models import LicenseType
from onething.common.validators import make_credit_code, make_id_number

from . import faces, identifiers, services
from .constants import HolderKind
from .models import Entity, License, LicenseSerial, Person, id_hash
from .synth import ENTITY_COLUMNS, PERSON_COLUMNS, Synth
from .synthfiles import generate  # noqa: F401 (`onething demo generate` asks each app's demo module)

PERSONS, ENTITIES = 5000, 2000
CITIZEN_ID = make_id_number("420102", date(1988, 5, 12), 123)
SPOUSE_ID = make_id_number("420103", date(1990, 8, 21), 246)
ENTERPRISE_CODE = make_credit_code("420102", "MA4KCW7P")
HOME = "湖北省武汉市江岸区黄浦大街88号3栋2单元501室"
FOOD_TYPES = ("food_business_license", "food_license")  # real catalog, mini catalog


def load(*, seed: int, stdout) -> None:
    if loaded():
        stdout.write("基础库：人口库、法人库和电子证照已存在，未重复导入")
        return
    started = time.monotonic()
    synth = Synth(seed=seed, today=timezone.localdate())
    persons = _persons(synth, PERSONS)
    entities = _entities(synth, ENTITIES, persons)
    licences = Bulk(synth).issue(persons, entities)
    citizen = _demo_users(synth.today)
    services.seal_jobs_enqueue()
    stdout.write(
        f"基础库：人口 {len(persons)} 人，经营主体 {len(entities)} 户，电子证照 {licences} 张"
        f"（待后台签章），演示账号已关联 {citizen}，用时 {time.monotonic() - started:.1f} 秒"
    )


def loaded() -> bool:
    """The demo registries are in: the demo citizen, whose record the load writes last."""
    return Person.objects.filter(id_number_hash=id_hash(CITIZEN_ID)).exists()


def _persons(synth: Synth, n: int) -> list[Person]:
    seen = {CITIZEN_ID, SPOUSE_ID}
    rows = [synth.person(seen) for _ in range(n)]
    Person.objects.bulk_create([Person(**_person_fields(r)) for r in rows], batch_size=1000)
    demo_users = [id_hash(CITIZEN_ID), id_hash(SPOUSE_ID)]
    return list(Person.objects.exclude(id_number_hash__in=demo_users).order_by("id"))


def _person_fields(row: dict) -> dict:
    out = {k: row[k] for k in PERSON_COLUMNS if k not in ("household_region", "residence_region")}
    out.update(
        household_region_id=row["household_region"], residence_region_id=row["residence_region"]
    )
    out["death_date"] = row["death_date"] or None
    return out


def _entities(synth: Synth, n: int, persons: list[Person]) -> list[Entity]:
    adults = [
        p for p in persons if (synth.today - p.birth_date).days > 20 * 365 and not p.death_date
    ]
    reps = [{"id_number": p.id_number, "name": p.name, "pk": p.pk} for p in adults]
    seen = {ENTERPRISE_CODE}
    rows = [synth.entity(seen, reps) for _ in range(n)]
    by_number = {r["id_number"]: r["pk"] for r in reps}
    Entity.objects.bulk_create(
        [Entity(**_entity_fields(r, by_number)) for r in rows], batch_size=1000
    )
    return list(Entity.objects.exclude(credit_code=ENTERPRISE_CODE).order_by("id"))


def _entity_fields(row: dict, by_number: dict) -> dict:
    out = {k: row[k] for k in ENTITY_COLUMNS if k != "registered_region"}
    out.update(
        registered_region_id=row["registered_region"],
        legal_rep_id=by_number.get(row["legal_rep_id_number"]),
    )
    out["registered_capital"] = Decimal(row["registered_capital"])
    return out


class Bulk:
    """Licences for the synthetic registries, numbered like services.license_issue does."""

    def __init__(self, synth: Synth):
        self.synth, self.rng, self.today = synth, synth.rng, synth.today
        self.types = LicenseType.objects.in_bulk()
        self.departments = {
            (d.kind_id, d.region_id): d for d in Department.objects.select_related("region")
        }
        self.serials: dict[tuple[str, int], int] = {}
        self.rows: list[License] = []

    def issue(self, persons: list[Person], entities: list[Entity]) -> int:
        for person in persons:
            self._person(person)
        for entity in entities:
            self._entity(entity)
        License.objects.bulk_create(self.rows, batch_size=2000)
        LicenseSerial.objects.bulk_create(
            [
                LicenseSerial(license_type_id=t, department_id=d, last=n)
                for (t, d), n in self.serials.items()
            ]
        )
        return len(self.rows)

    def _person(self, p: Person) -> None:
        age = (self.today - p.birth_date).days // 365
        if p.death_date:
            return
        self.add("household_register", p.household_region_id, person=p)
        if age >= 16:
            self.add("id_card", p.household_region_id, person=p)
        if p.marital_status == "married":
            self.add(
                "marriage_certificate", p.household_region_id, person=p, years_ago=max(age - 22, 0)
            )
        if 18 <= age <= 70 and self.rng.random() < 0.4:
            self.add(
                "driving_license",
                p.residence_region_id,
                person=p,
                data={"license_number": p.id_number, "vehicle_class": "C1"},
            )
        if (
            p.employment_status in ("employed", "self_employed", "retired")
            and self.rng.random() < 0.85
        ):
            self.add("social_security_card", p.residence_region_id, person=p)
        if p.disability_category:
            self.add("disability_certificate", p.household_region_id, person=p)

    def _entity(self, e: Entity) -> None:
        years = max((self.today - e.founded_on).days // 365, 0)
        self.add("business_license", e.registered_region_id, entity=e, years_ago=years)
        if e.industry_code.startswith("H62"):
            code = next((t for t in FOOD_TYPES if t in self.types), None)
            if code:
                self.add(code, e.registered_region_id, entity=e)

    def add(
        self, type_code, region, *, person=None, entity=None, data=None, years_ago=None
    ) -> None:
        lt = self.types.get(type_code)
        dept = self._department(lt, region) if lt else None
        if dept is None:
            return
        issued = self._issued_on(lt, years_ago)
        serial = self.serials[(lt.code, dept.pk)] = self.serials.get((lt.code, dept.pk), 0) + 1
        until = services.valid_until(lt, issued)
        holder = person or entity
        self.rows.append(
            License(
                identifier=identifiers.build(
                    type_code=lt.code, department_code=dept.code, serial=serial, version=1
                ),
                license_type=lt,
                holder_kind=HolderKind.PERSON if person else HolderKind.ENTITY,
                person=person,
                entity=entity,
                holder_name=holder.name,
                holder_number=person.id_number if person else entity.credit_code,
                department=dept,
                serial=serial,
                issued_on=issued,
                valid_until=until,
                status="expired" if until and until < self.today else "valid",
                data=faces.face(
                    lt,
                    data=data or {},
                    person=person,
                    entity=entity,
                    issued_on=issued,
                    valid_until=until,
                    department=dept,
                ),
            )
        )

    def _department(self, lt, region):
        node = region
        while node:
            if found := self.departments.get((lt.issuer_id, node)):
                return found
            node = (
                node[:4] + "00"
                if not node.endswith("00")
                else (node[:2] + "0000" if node[2:4] != "00" else None)
            )
        return None

    def _issued_on(self, lt, years_ago) -> date:
        if years_ago is not None:
            return self.today - timedelta(days=int(years_ago * 365.25) + self.rng.randint(0, 364))
        # Spread over the validity period, with ~3% already expired (to show every status).
        span = (lt.validity_years or 10) * 365
        return self.today - timedelta(days=self.rng.randint(0, int(span * 1.03)))


# ---- the demo users ------------------------------------------------------------------------------


def _dept(kind: str, region: str = "420102") -> Department | None:
    return Department.objects.filter(kind_id=kind, region_id=region).first()


def _issue(code: str, *, on: date | None = None, **kwargs):
    lt = LicenseType.objects.filter(code=code).first()
    dept = _dept(lt.issuer_id) if lt else None
    if dept is not None:
        known = {f["code"] for f in lt.fields or []}
        data = {k: v for k, v in kwargs.pop("data", {}).items() if k in known}
        return services.license_issue(
            license_type=lt, department=dept, data=data, issued_on=on, **kwargs
        )
    return None


def _demo_users(today: date) -> str:
    citizen = services.person_create(
        id_number=CITIZEN_ID,
        name="张晓明",
        household_region_id="420102",
        household_address=HOME,
        residence_region_id="420102",
        residence_address=HOME,
        phone="13871000001",
        marital_status="married",
        education="bachelor",
        employment_status="employed",
    )
    spouse = services.person_create(
        id_number=SPOUSE_ID,
        name="李慧",
        household_region_id="420102",
        household_address=HOME,
        residence_region_id="420102",
        residence_address=HOME,
        phone="13871000002",
        marital_status="married",
        education="postgraduate",
        employment_status="employed",
        spouse=citizen,
    )
    Person.objects.filter(pk=citizen.pk).update(spouse=spouse)
    _citizen_licences(citizen, spouse, today)
    enterprise = services.entity_create(
        credit_code=ENTERPRISE_CODE,
        name="武汉市江岸区楚味餐饮有限公司",
        entity_type="llc",
        legal_rep=citizen,
        registered_region_id="420102",
        address="湖北省武汉市江岸区沿江大道156号1层",
        industry_code="H6210",
        registered_capital=Decimal("50"),
        founded_on=date(2021, 3, 18),
        employees=12,
        tax_credit_rating="B",
        is_small_micro=True,
        phone="027-82880001",
    )
    _issue(
        "business_license",
        entity=enterprise,
        on=date(2021, 3, 18),
        data={"business_scope": "餐饮服务；食品销售"},
    )
    for code in FOOD_TYPES:
        _issue(
            code,
            entity=enterprise,
            on=date(2021, 4, 2),
            data={"main_business": "餐饮服务经营者（中型餐馆）"},
        )
    User.objects.filter(username="demo_citizen").update(id_number=citizen.id_number)
    User.objects.filter(username="demo_enterprise").update(credit_code=enterprise.credit_code)
    return f"张晓明 {citizen.masked_id}、{enterprise.name}"


def _citizen_licences(citizen: Person, spouse: Person, today: date) -> None:
    marriage = {
        "certificate_number": "J420102-2016-003512",
        "spouse_name": spouse.name,
        "spouse_id_number": spouse.id_number,
        "registered_on": "2016-10-01",
        "registration_authority": "武汉市江岸区民政局",
    }
    _issue("id_card", person=citizen, on=date(2015, 6, 1))
    _issue("id_card", person=spouse, on=date(2018, 9, 1))
    _issue(
        "household_register",
        person=citizen,
        on=date(2016, 11, 5),
        data={
            "household_head_name": "张晓明",
            "relation_to_head": "户主",
            "household_type": "家庭户",
        },
    )
    _issue("marriage_certificate", person=citizen, on=date(2016, 10, 1), data=marriage)
    _issue(
        "marriage_certificate",
        person=spouse,
        on=date(2016, 10, 1),
        data={**marriage, "spouse_name": citizen.name, "spouse_id_number": citizen.id_number},
    )
    # Expires in 19 days: the daily job reminds, the wallet offers a one-click renewal.
    issued = today + timedelta(days=20)
    _issue(
        "driving_license",
        person=citizen,
        on=issued.replace(year=issued.year - 10),
        data={
            "license_number": citizen.id_number,
            "vehicle_class": "C1",
            "first_issued_on": "2010-07-15",
        },
    )
    _issue(
        "social_security_card",
        person=citizen,
        on=date(2019, 3, 1),
        data={"card_number": "M42010288", "issuing_bank": "中国工商银行武汉江岸支行"},
    )
