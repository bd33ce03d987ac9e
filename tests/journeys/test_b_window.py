"""Journey (b): the comprehensive window (综合窗口) applies for people who walk in.

demo_clerk files an application by the holder's QR code (the code the holder shows from the
wallet, typed in as a scanner types it) and by typed-in identity, accepts with 容缺 (a written
commitment for a missing material), and accepts a cross-region case whose region is chosen on
the page.
"""

import re

from . import steps


def holder_code(page) -> str:
    """The holder opens the wallet and shows the code (5 minutes valid)."""
    page.goto("/registry/wallet/")
    page.click("#holder-code button")
    return page.locator("#holder-code-text").inner_text().strip()


def clerk_applies(clerk, code: str, answers: dict, applicant: dict, values=None, commit=()) -> str:
    steps.open_apply(clerk, code, answers)
    for name in ("code", "name", "id_number", "credit_code"):  # the last walk-in's draft goes
        clerk.fill(f"input[name=applicant_{name}]", applicant.get(name, ""))
    steps.fill_form(clerk, values)
    steps.upload_materials(clerk, commit=commit)
    return steps.submit(clerk)


def test_clerk_applies_by_qr_code_and_accepts(journey):
    code = holder_code(journey.as_user("demo_enterprise"))
    clerk = journey.as_user("demo_clerk")
    number = clerk_applies(
        clerk,
        "open-restaurant",
        {"subject_type": "company"},
        {"code": code},
        # The clerk reads the holder's registered facts off the licence the holder shows.
        values={
            "enterprise_name": "武汉市江岸区楚味餐饮有限公司",
            "registered_capital": "50",
            "business_scope": "餐饮服务；食品销售",
            "premises_address": "湖北省武汉市江岸区沿江大道156号1层",
            "registered_address": "湖北省武汉市江岸区沿江大道156号1层",
            "legal_rep_name": "张晓明",
            "contact_phone": "027-82880001",
        },
    )
    assert steps.status_of(clerk) == "待受理"
    steps.accept(clerk, number)
    assert "受理通知书" in clerk.locator("#documents").inner_text()


def test_clerk_types_identity_and_accepts_with_commitment(journey):
    clerk = journey.as_user("demo_clerk")
    walk_in = steps.id_number("420102", "19900315", "241")
    number = clerk_applies(
        clerk,
        "open-restaurant",
        {"subject_type": "individual"},
        {"name": "刘小燕", "id_number": walk_in},
        values={
            "applicant_name": "刘小燕",
            "applicant_id_number": walk_in,
            "applicant_phone": "13972000318",
            "contact_phone": "13972000318",
            "legal_rep_name": "刘小燕",
            "contact_name": "刘小燕",
            "enterprise_name_proposed": "武汉市江岸区燕子小吃店",
            "enterprise_name": "武汉市江岸区燕子小吃店",
        },
        commit=("food_safety_manager",),
    )
    steps.accept(clerk, number, decision="accept_with_tolerance")
    text = clerk.locator("main").inner_text()
    assert "容缺受理" in text
    assert "告知承诺：食品安全管理人员情况说明" in text and "待履行" in text, text


def test_clerk_accepts_a_cross_region_case_chosen_on_the_page(journey):
    """A walk-in whose household is in 武昌区 files 异地就医备案 (跨省通办) at the 江岸区 window."""
    clerk = journey.as_user("demo_clerk")
    walk_in = steps.id_number("420106", "19850620", "337")
    steps.open_apply(clerk, "cross-region-medical-filing")
    for name, value in (
        ("code", ""),
        ("name", "周文斌"),
        ("id_number", walk_in),
        ("credit_code", ""),
    ):
        clerk.fill(f"input[name=applicant_{name}]", value)
    # The applicant's own region (户籍地), where the case is processed, chosen on the page.
    chooser = clerk.get_by_label(re.compile("户籍地|登记地|办理地"))
    steps.choose(clerk, f"#{chooser.get_attribute('id')}", "武昌区")
    steps.fill_form(
        clerk,
        {
            "applicant_name": "周文斌",
            "applicant_id_number": walk_in,
            "applicant_phone": "13871200620",
            "contact_phone": "13871200620",
        },
    )
    steps.upload_materials(clerk)
    number = steps.submit(clerk)
    text = clerk.locator("main").inner_text()
    assert "受理地：江岸区" in text and "办理地：武昌区（跨域通办）" in text, text
    steps.accept(clerk, number)
    assert steps.status_of(clerk) == "办理中"


def test_applicant_chooses_another_accepting_window_on_the_page(journey):
    """收受分离 from the applicant's side: the window that accepts is chosen on the preview."""
    me = journey.as_user("demo_citizen")
    steps.open_apply(me, "cross-region-medical-filing")
    steps.fill_form(me)
    steps.upload_materials(me)
    me.click("button[value=preview]")
    steps.choose(me, "#accept-region", "江汉区")
    me.check("#consent")
    me.click("button[value=submit]")
    me.wait_for_url(steps.CASE_URL)
    text = me.locator("main").inner_text()
    assert "受理地：江汉区" in text and "办理地：江岸区（跨域通办）" in text, text
