from io import BytesIO

import pytest
from openpyxl import load_workbook

from onething.supervision import services
from onething.supervision.tests.test_access import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(make_case, wuhan_base, alice, carol):
    cases = [
        make_case(submitted_by=alice, accepted=wuhan_base, elapsed=4),
        make_case(
            submitted_by=carol,
            window_actor=carol,
            channel="window",
            accepted=wuhan_base,
            extra_days=2,
        ),
    ]
    for case in cases:
        services.case_fact_refresh(case=case)
    services.rollups_rebuild_all()


def _sheet_values(ws):
    return [v for row in ws.iter_rows(values_only=True) for v in row if v is not None]


def test_export_all_panels_opens_with_openpyxl_and_has_the_figures(data, sam):
    r = client_for(sam).get("/supervision/export.xlsx")
    assert r.status_code == 200
    assert "attachment" in r["Content-Disposition"]
    wb = load_workbook(BytesIO(r.content))
    assert "按承诺时限办结" in wb.sheetnames and "全程网办率" in wb.sheetnames
    timeliness = _sheet_values(wb["按承诺时限办结"])
    assert 50.0 in timeliness and "开办小餐馆" in timeliness
    assert "武汉市" in "".join(str(v) for v in timeliness)


def test_export_one_panel_through_the_api(data, sam):
    r = client_for(sam).get("/api/supervision/export", {"panel": "by_channel", "region": "420102"})
    wb = load_workbook(BytesIO(r.content))
    assert wb.sheetnames == ["分渠道办件量"]
    values = _sheet_values(wb.active)
    assert "网上办事大厅" in values and "综合窗口" in values and 50.0 in values
