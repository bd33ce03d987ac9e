"""Large synthetic registry files for load tests (`onething demo generate`): CSV that
`onething registry import` reads, and Parquet parts, written chunk by chunk."""

import csv
from pathlib import Path

from django.utils import timezone

from .synth import ENTITY_COLUMNS, PERSON_COLUMNS, Synth


def generate(*, persons: int, entities: int, out_dir, seed: int, chunk: int = 100_000) -> dict:
    """Write persons/entities as CSV (importable by `onething registry import`) and Parquet parts,
    chunk by chunk, so memory stays flat for millions of rows."""
    import polars as pl

    out = Path(out_dir)
    (out / "persons").mkdir(parents=True, exist_ok=True)
    (out / "entities").mkdir(parents=True, exist_ok=True)
    synth, seen, reps = Synth(seed=seed, today=timezone.localdate()), set(), []
    written = {"persons": 0, "entities": 0}
    with open(out / "persons.csv", "w", newline="", encoding="utf-8") as fh:
        writer = _csv(fh, PERSON_COLUMNS)
        for part, size in enumerate(_chunks(persons, chunk)):
            rows = [synth.person(seen) for _ in range(size)]
            reps.extend(
                {"id_number": r["id_number"], "name": r["name"]}
                for r in rows[:1000]
                if not r["death_date"]
            )
            _write(writer, pl, rows, out / "persons" / f"part-{part:05d}.parquet")
            written["persons"] += size
    seen.clear()  # the person numbers are not needed any more; entity codes have their own space
    with open(out / "entities.csv", "w", newline="", encoding="utf-8") as fh:
        writer = _csv(fh, ENTITY_COLUMNS)
        for part, size in enumerate(_chunks(entities, chunk)):
            rows = [synth.entity(seen, reps) for _ in range(size)]
            _write(writer, pl, rows, out / "entities" / f"part-{part:05d}.parquet")
            written["entities"] += size
    (out / CONTENTS_FILE).write_text(contents_note(written), encoding="utf-8")
    return written


CONTENTS_FILE = "README.txt"


def contents_note(written: dict) -> str:
    """What the generated files hold: every export says which personal fields it carries."""
    return (
        "本目录由 `onething demo generate` 生成，全部为合成数据，不对应任何真实个人或单位。\n"
        f"persons.csv 与 persons/*.parquet：{written['persons']} 人，列：{', '.join(PERSON_COLUMNS)}。\n"
        "  含个人信息字段：姓名（name）、公民身份号码（id_number）、联系电话（phone）、"
        "户籍与居住地址（household_address, residence_address）——均为完整值，未脱敏。\n"
        f"entities.csv 与 entities/*.parquet：{written['entities']} 户，列：{', '.join(ENTITY_COLUMNS)}。\n"
        "  含个人信息字段：法定代表人姓名（legal_rep_name）、法定代表人公民身份号码（legal_rep_id_number）、"
        "联系电话（phone）——均为完整值，未脱敏。\n"
        "导入后（onething registry import）公民身份号码和电话在数据库中加密保存，页面默认脱敏显示。\n"
        "请勿将这些文件与真实数据混放。\n"
    )


def _csv(fh, columns):
    writer = csv.DictWriter(fh, fieldnames=columns)
    writer.writeheader()
    return writer


def _chunks(total: int, size: int):
    while total > 0:
        yield min(size, total)
        total -= size


def _write(writer, pl, rows: list[dict], parquet: Path) -> None:
    writer.writerows(rows)
    pl.DataFrame(rows, infer_schema_length=None).write_parquet(parquet)
