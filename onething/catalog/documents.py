"""Documents generated from a blueprint: the service guide (PDF) and BPMN 2.0 XML."""

from lxml import etree

from onething.common import pdf

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"


def guide_sections(bp: dict) -> list[tuple[str, list]]:
    """The service guide (办事指南) as titled sections; the page and the PDF share it."""
    ot = bp["onething"]
    items = bp["items"]
    conditions = [f"{i['name']}：{i['conditions']}" for i in items if i.get("conditions")]
    bases = [f"{i['name']}：{i['legal_basis']}" for i in items if i.get("legal_basis")]
    return [
        (
            "事项概述",
            [
                ot.get("description") or ot["name"],
                f"牵头部门：{ot['lead_department']['name']}；涉及部门：{len({i['department']['code'] for i in items})} 个",
            ],
        ),
        *_situation(bp),
        ("受理条件", conditions or ["符合各事项规定的条件"]),
        (
            "办理流程",
            [
                f"第{n + 1}阶段（并联办理）：" + "、".join(_names(bp, stage))
                for n, stage in enumerate(bp["process"]["stages"])
            ],
        ),
        (
            "办理时限",
            [
                f"承诺办结时限：{bp['process']['promised_days']} 个工作日（法定 {bp['process']['legal_days']} 个工作日）"
            ],
        ),
        ("收费标准", [f"合计 {bp['fee']} 元" if float(bp["fee"]) else "不收费"]),
        (
            "办理地点和方式",
            [
                f"网上办理：{bp['online_level']}；线下：各级政务服务中心综合窗口“一窗受理”",
                f"通办范围：{bp['cross_region']}",
            ],
        ),
        ("设定依据", bases or ["—"]),
    ]


def _situation(bp: dict) -> list[tuple[str, list]]:
    """The answers this guide was written for: materials and items differ between situations."""
    lines = []
    for q in bp.get("questions") or []:
        labels = {o["value"]: o["label"] for o in q.get("options") or []}
        if q.get("answer") in labels:
            lines.append(f"{q['text']} {labels[q['answer']]}")
    return [("适用情形", lines)] if lines else []


def _names(bp: dict, codes: list[str]) -> list[str]:
    by_code = {i["code"]: i for i in bp["items"]}
    return [f"{by_code[c]['name']}（{by_code[c]['department']['name']}）" for c in codes]


def guide_pdf(bp: dict) -> bytes:
    ot = bp["onething"]
    flow = [pdf.para(f"“{ot['name']}”一件事办事指南", pdf.TITLE)]
    flow.append(pdf.para(f"版本 v{ot['version']} · 标准化阶段：{ot['status']}", pdf.SMALL))
    for title, lines in guide_sections(bp):
        flow.append(pdf.para(title, pdf.HEADING))
        flow += [pdf.para(line) for line in lines]
    flow.append(pdf.para("申请材料", pdf.HEADING))
    rows = [["材料名称", "提交方式", "适用事项"]]
    names = {i["code"]: i["name"] for i in bp["items"]}
    for m in bp["materials"]:
        rows.append([m["name"], _material_note(m), "、".join(names[c] for c in m["used_by"])])
    flow.append(pdf.table(rows, widths=[60 * pdf.mm, 55 * pdf.mm, 59 * pdf.mm]))
    flow.append(pdf.para("减环节、减材料、减时间、减跑动", pdf.HEADING))
    flow.append(pdf.table(_reduction_rows(bp["reductions"])))
    return pdf.build(flow, title=f"{ot['name']}办事指南")


def _material_note(m: dict) -> str:
    note = m["disposition_label"]
    if m["disposition"] == "license":
        note += f"（{m['license_type_name']}）"
    if m["disposition"] == "earlier_item":
        note += "（由前序事项办结后自动获取）"
    return note


def _reduction_rows(red: dict) -> list[list[str]]:
    labels = {
        "time": "办理时间（工作日）",
        "materials": "申请材料（份）",
        "steps": "办理环节（个）",
        "visits": "跑动次数（次）",
    }
    rows = [["指标", "单独办理", "一件事", "压减比例"]]
    for key, label in labels.items():
        rows.append(
            [label, str(red["before"][key]), str(red["after"][key]), f"{red['percent'][key]}%"]
        )
    return rows


def bpmn_xml(bp: dict) -> bytes:
    """One process: start → (parallel gateway split → tasks → join) per stage → end."""
    ot = bp["onething"]
    defs = etree.Element(
        f"{{{BPMN}}}definitions",
        nsmap={"bpmn": BPMN},
        id=f"defs_{_id(ot['code'])}",
        targetNamespace="https://onething.gov.cn/bpmn",
    )
    proc = etree.SubElement(
        defs,
        f"{{{BPMN}}}process",
        id=f"proc_{_id(ot['code'])}",
        name=ot["name"],
        isExecutable="true",
    )
    flows: list[tuple[str, str]] = []
    _node(proc, "startEvent", "start", "申请（一表申请）")
    _node(proc, "userTask", "accept", "综合窗口受理")
    flows.append(("start", "accept"))
    previous = "accept"
    names = {i["code"]: i for i in bp["items"]}
    for n, stage in enumerate(bp["process"]["stages"]):
        split, join = f"stage{n}_split", f"stage{n}_join"
        _node(proc, "parallelGateway", split, f"第{n + 1}阶段并联开始")
        _node(proc, "parallelGateway", join, f"第{n + 1}阶段并联结束")
        flows.append((previous, split))
        for code in stage:
            task = f"task_{_id(code)}"
            _node(
                proc,
                "userTask",
                task,
                f"{names[code]['name']}（{names[code]['department']['name']}）",
            )
            flows += [(split, task), (task, join)]
        previous = join
    _node(proc, "endEvent", "end", "办结（统一出件）")
    flows.append((previous, "end"))
    _wire(proc, flows)
    return etree.tostring(defs, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _id(code: str) -> str:
    return code.replace("-", "_")


def _node(proc, tag: str, node_id: str, name: str):
    return etree.SubElement(proc, f"{{{BPMN}}}{tag}", id=node_id, name=name)


def _wire(proc, flows: list[tuple[str, str]]) -> None:
    nodes = {el.get("id"): el for el in proc}
    for n, (src, dst) in enumerate(flows):
        fid = f"flow{n}"
        etree.SubElement(nodes[src], f"{{{BPMN}}}outgoing").text = fid
        etree.SubElement(nodes[dst], f"{{{BPMN}}}incoming").text = fid
    for n, (src, dst) in enumerate(flows):
        etree.SubElement(
            proc, f"{{{BPMN}}}sequenceFlow", id=f"flow{n}", sourceRef=src, targetRef=dst
        )
