"""Synthetic people and entities: deterministic from a seed, plausible, with valid check digits.

Faker (zh_CN) fills small pools of names and streets once; rows are then composed with a seeded
``random.Random``, which is what makes millions of rows fast. Regions are Hubei's GB/T 2260 codes
from data/regions/hubei.json, so the generator needs no database.
"""

import json
import random
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

from django.conf import settings
from faker import Faker

from onething.common.validators import CREDIT_CHARS, make_credit_code, make_id_number

from .constants import EntityType

ETHNICITIES = [("汉族", 955), ("土家族", 35), ("苗族", 4), ("回族", 3), ("侗族", 2), ("满族", 1)]
EDUCATION = [
    ("primary", 18),
    ("junior", 32),
    ("senior", 20),
    ("college", 12),
    ("bachelor", 14),
    ("postgraduate", 4),
]
DISABILITY = [
    "visual",
    "hearing",
    "speech",
    "physical",
    "physical",
    "physical",
    "intellectual",
    "mental",
    "multiple",
]
# (GB/T 4754-2017 code, word used in names, share)
INDUSTRIES = [
    ("H6210", "餐饮", 20), ("H6220", "小吃", 12), ("F5212", "超市", 10), ("F5291", "便利店", 8),
    ("I6513", "科技", 8), ("E4710", "建筑", 6), ("G5431", "物流", 6), ("A0111", "农业", 5),
    ("O8060", "美发", 8), ("M7484", "设计", 5), ("K7010", "物业", 4), ("P8391", "培训", 8),
]  # fmt: skip
ENTITY_TYPES = [
    (EntityType.INDIVIDUAL, 60), (EntityType.LLC, 28), (EntityType.ONE_PERSON_LLC, 6),
    (EntityType.SOLE_PROPRIETORSHIP, 2), (EntityType.PARTNERSHIP, 2), (EntityType.JOINT_STOCK, 2),
]  # fmt: skip
SHOP_WORDS = [
    "楚味",
    "江城",
    "汉味",
    "荆楚",
    "长江",
    "黄鹤",
    "东湖",
    "知音",
    "晴川",
    "九省",
    "光谷",
    "木兰",
    "神农",
    "三峡",
    "武当",
    "赤壁",
    "汉正",
    "青山",
    "金桥",
    "鑫盛",
    "恒通",
    "福源",
    "华兴",
    "明德",
]
SUFFIX = {
    EntityType.INDIVIDUAL: "店",
    EntityType.LLC: "有限公司",
    EntityType.ONE_PERSON_LLC: "有限公司",
    EntityType.SOLE_PROPRIETORSHIP: "经营部",
    EntityType.PARTNERSHIP: "（有限合伙）",
    EntityType.JOINT_STOCK: "股份有限公司",
}
PERSON_COLUMNS = [
    "id_number",
    "name",
    "gender",
    "birth_date",
    "ethnicity",
    "household_region",
    "household_address",
    "residence_region",
    "residence_address",
    "phone",
    "marital_status",
    "disability_category",
    "disability_level",
    "is_veteran",
    "death_date",
    "education",
    "employment_status",
]
ENTITY_COLUMNS = [
    "credit_code",
    "name",
    "entity_type",
    "legal_rep_id_number",
    "legal_rep_name",
    "registered_region",
    "address",
    "industry_code",
    "registered_capital",
    "founded_on",
    "employees",
    "operating_status",
    "tax_credit_rating",
    "is_high_tech",
    "is_small_micro",
    "phone",
]


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights)[0]


@dataclass
class Synth:
    seed: int
    today: date

    @cached_property
    def rng(self) -> random.Random:
        return random.Random(self.seed)

    @cached_property
    def pools(self) -> dict:
        fake = Faker("zh_CN")
        fake.seed_instance(self.seed)
        return {
            "surnames": [fake.last_name() for _ in range(400)],
            "male": [fake.first_name_male() for _ in range(400)],
            "female": [fake.first_name_female() for _ in range(400)],
            "streets": sorted({fake.street_name() for _ in range(600)}),
        }

    @cached_property
    def counties(self) -> list[dict]:
        doc = json.loads((settings.DATA_DIR / "regions" / "hubei.json").read_text(encoding="utf-8"))
        names = {r["code"]: r["name"] for r in doc["regions"]}
        return [
            {**r, "full": names.get(r["parent"], "") + r["name"]}
            for r in doc["regions"]
            if r["level"] == "county"
        ]

    def county(self) -> dict:
        # Wuhan's districts get a larger share, as the capital's population does.
        return self.rng.choice(self.counties[:13] if self.rng.random() < 0.35 else self.counties)

    def address(self, county: dict) -> str:
        rng = self.rng
        return f"{county['full']}{rng.choice(self.pools['streets'])}{rng.randint(1, 399)}号{rng.randint(1, 30)}栋{rng.randint(101, 2802)}室"

    def phone(self) -> str:
        return f"1{self.rng.choice('3456789')}{self.rng.randint(0, 10**9 - 1):09d}"

    def birth_date(self) -> date:
        age_days = int(self.rng.triangular(0, 95, 38) * 365.25)
        return self.today - timedelta(days=age_days)

    def person(self, seen: set) -> dict:
        rng, county, born = self.rng, self.county(), self.birth_date()
        male = rng.random() < 0.51
        number = ""
        while not number or number in seen:
            number = make_id_number(
                county["code"], born, rng.randrange(0, 500) * 2 + (1 if male else 0)
            )
        seen.add(number)
        age = (self.today - born).days // 365
        same_place = rng.random() < 0.8
        residence = county if same_place else self.county()
        return {
            "id_number": number,
            "name": rng.choice(self.pools["surnames"])
            + rng.choice(self.pools["male" if male else "female"]),
            "gender": "male" if male else "female",
            "birth_date": born.isoformat(),
            "ethnicity": _weighted(rng, ETHNICITIES),
            "household_region": county["code"],
            "household_address": (home := self.address(county)),
            "residence_region": residence["code"],
            "residence_address": home if same_place else self.address(residence),
            "phone": self.phone() if age >= 12 else "",
            "marital_status": self._marital(age),
            **self._disability(),
            "is_veteran": male and age > 22 and rng.random() < 0.04,
            "death_date": (self.today - timedelta(days=rng.randint(1, 900))).isoformat()
            if age > 60 and rng.random() < 0.02
            else "",
            "education": _weighted(rng, EDUCATION) if age >= 16 else "",
            "employment_status": self._employment(age),
        }

    def _marital(self, age: int) -> str:
        if age < 22:
            return "unmarried"
        pairs = [
            ("unmarried", 30 if age < 30 else 5),
            ("married", 80),
            ("divorced", 7),
            ("widowed", 1 if age < 60 else 15),
        ]
        return _weighted(self.rng, pairs)

    def _disability(self) -> dict:
        if self.rng.random() >= 0.035:
            return {"disability_category": "", "disability_level": ""}
        return {
            "disability_category": self.rng.choice(DISABILITY),
            "disability_level": str(self.rng.randint(1, 4)),
        }

    def _employment(self, age: int) -> str:
        if age < 16:
            return ""
        if age < 22:
            return "student" if self.rng.random() < 0.7 else "employed"
        if age >= 60:
            return "retired"
        return _weighted(
            self.rng, [("employed", 70), ("self_employed", 18), ("unemployed", 6), ("", 6)]
        )

    def entity(self, seen: set, reps: list[dict]) -> dict:
        rng, county = self.rng, self.county()
        kind = _weighted(rng, ENTITY_TYPES)
        industry, word, _ = rng.choices(INDUSTRIES, [w for *_, w in INDUSTRIES])[0]
        code = ""
        while not code or code in seen:
            body = "".join(rng.choice(CREDIT_CHARS) for _ in range(8))
            category = "2" if kind == EntityType.INDIVIDUAL else "1"
            code = make_credit_code(county["code"], body, category=category)
        seen.add(code)
        rep = rng.choice(reps) if reps else {"id_number": "", "name": ""}
        small = kind == EntityType.INDIVIDUAL
        return {
            "credit_code": code,
            "name": f"{county['full']}{rng.choice(SHOP_WORDS)}{rng.choice(SHOP_WORDS)}{word}{SUFFIX[kind]}",
            "entity_type": kind.value,
            "legal_rep_id_number": rep["id_number"],
            "legal_rep_name": rep["name"],
            "registered_region": county["code"],
            "address": self.address(county),
            "industry_code": industry,
            "registered_capital": str(
                rng.choice([3, 5, 10, 10, 20])
                if small
                else rng.choice([50, 100, 100, 200, 500, 1000, 5000])
            ),
            "founded_on": (
                self.today - timedelta(days=int(rng.expovariate(1 / 2200)) + 1)
            ).isoformat(),
            "employees": rng.randint(1, 5) if small else int(rng.paretovariate(1.3) * 5),
            "operating_status": _weighted(
                rng, [("active", 92), ("suspended", 3), ("revoked", 2), ("deregistered", 3)]
            ),
            "tax_credit_rating": ""
            if small
            else _weighted(rng, [("A", 20), ("B", 60), ("M", 12), ("C", 5), ("D", 3)]),
            "is_high_tech": industry == "I6513" and rng.random() < 0.4,
            "is_small_micro": small or rng.random() < 0.85,
            "phone": self.phone(),
        }
