"""Notices and decisions (受理通知书、一次性告知书 …) as PDFs."""

from django.utils import timezone
from reportlab.lib.units import mm

from onething.catalog.blueprint import Blueprint
from onething.common import pdf


def render(
    *, kind: str, title: str, case, department, lines: list[str], items: list[str] = ()
) -> bytes:
    applicant = case.applicant_data
    flow = [
        pdf.para(title, pdf.TITLE),
        pdf.para(f"编号：{case.number}-{kind}", pdf.SMALL),
        pdf.para(f"{applicant.get('name', '')}："),
        pdf.spacer(2),
    ]
    flow += [pdf.para(line) for line in lines]
    if items:
        flow.append(
            pdf.table(
                [["序号", "内容"]] + [[str(n), t] for n, t in enumerate(items, 1)],
                [15 * mm, 155 * mm],
            )
        )
    flow += [
        pdf.spacer(8),
        pdf.para(f"一件事：{case.title}（版本 v{Blueprint.of(case.blueprint).version}）"),
        pdf.para(f"{department.name if department else ''}"),
        pdf.para(timezone.localdate().strftime("%Y年%m月%d日")),
        pdf.spacer(4),
        pdf.para("本文书加盖电子印章，可在一件事平台办件详情中核验。", pdf.SMALL),
    ]
    return pdf.build(flow, title=title)
