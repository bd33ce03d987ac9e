"""Fresh database → the mini catalog, departments and one applicant per client with a token and
two uploaded files. Prints JSON [{token, files, id_number, name}] for run.py. Run with the bench env."""

import json
import os
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onething.settings")

import django  # noqa: E402

django.setup()

from onething.accounts import services as accounts  # noqa: E402
from onething.accounts.models import Region  # noqa: E402
from onething.cases import services as cases  # noqa: E402
from onething.catalog import services as catalog  # noqa: E402
from onething.common.validators import make_id_number  # noqa: E402
from onething.testing import MINI  # noqa: E402

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def main(clients: int) -> None:
    accounts.regions_load()
    catalog.catalog_import(path=Path(os.environ.get("BENCH_CATALOG", MINI)))
    accounts.departments_ensure()
    region = Region.objects.get(code="420102")
    out = []
    for n in range(clients):
        id_number = make_id_number("420102", date(1985, 3, 1), n * 2 + 1)
        user = accounts.user_create(
            username=f"bench{n}",
            password="Bench-Passw0rd!",
            role="applicant_person",
            display_name=f"压测{n}",
            region=region,
            id_number=id_number,
        )
        files = {
            m: str(cases.upload_create(owner=user, name=f"{m}.pdf", chunks=[PDF]).pk)
            for m in ("application_form", "id_card")
        }
        out.append(
            {
                "token": accounts.token_create(user=user),
                "files": files,
                "id_number": id_number,
                "name": f"压测{n}",
            }
        )
    print(json.dumps(out))


if __name__ == "__main__":
    main(int(sys.argv[1]))
