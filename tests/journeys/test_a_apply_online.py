"""Journey (a): people apply online with the demo accounts, as the README invites them to.

A natural person opens a restaurant as 个体工商户 and as a company; the demo enterprise, which holds
a business licence already, submits 开办餐饮店 without a second registration, and changes its registration (企业信息变更) with 一键三联 answered from the
licences in its wallet before it submits.
"""

from . import steps


def editable_fields(page) -> set[str]:
    fields = page.locator("#apply-form [id^=f_]:not([readonly])").all()
    return {f.get_attribute("id")[2:] for f in fields}


def test_citizen_opens_a_restaurant_as_individual_business(journey):
    me = journey.as_user("demo_citizen")
    steps.open_apply(me, "open-restaurant", {"subject_type": "individual"})
    # The shop does not exist yet: its credit code is what registration produces, never asked.
    assert "enterprise_credit_code" not in editable_fields(me)
    prefilled = steps.fill_form(me)
    assert prefilled.get("applicant_name") == "张晓明"
    assert "营业执照" in me.locator("#apply-materials").inner_text()
    steps.upload_materials(me)
    number = steps.submit(me)
    assert steps.status_of(me) == "待受理"
    assert "开办餐饮店" in me.locator("h1").inner_text()
    me.goto("/cases/")
    assert number in me.locator("#cases").inner_text()


def test_citizen_opens_a_restaurant_as_company(journey):
    me = journey.as_user("demo_citizen")
    steps.open_apply(me, "open-restaurant", {"subject_type": "company"})
    assert "enterprise_credit_code" not in editable_fields(me)
    materials = me.locator("#apply-materials").inner_text()
    assert "章程" in materials  # a company files its articles of association
    steps.fill_form(me)
    steps.upload_materials(me)
    number = steps.submit(me)
    assert steps.status_of(me) == "待受理"
    me.goto("/cases/")
    assert number in me.locator("#cases").inner_text()


def test_enterprise_submits_open_restaurant(journey):
    firm = journey.as_user("demo_enterprise")
    steps.open_apply(firm, "open-restaurant", {"subject_type": "company"})
    # A company is asked neither what it is nor whether it holds its licence: its data answers.
    subject = firm.locator("#situation fieldset.question", has_text="以什么形式")
    assert subject.locator("input[value=company]").is_checked()
    assert subject.locator("input[value=individual]").is_disabled()
    assert "已根据您的登记信息和电子证照自动判断" in subject.inner_text()
    licence_question = firm.locator("#situation fieldset.question", has_text="营业执照")
    assert licence_question.locator("input[value=yes]").is_checked()
    assert "已根据您的登记信息和电子证照自动判断" in licence_question.inner_text()
    materials = firm.locator("#apply-materials").inner_text()
    assert "章程" not in materials
    # Its legal representative's identity card comes from their e-licence, not a copy.
    assert "已通过电子证照获取：居民身份证（法定代表人）" in materials
    prefilled = steps.fill_form(firm)
    # What the registry fills in read-only is accepted by the form it fills (landline included).
    assert prefilled.get("enterprise_credit_code") == "91420102MA4KCW7P4Q", prefilled
    steps.upload_materials(firm)
    number = steps.submit(firm)
    assert steps.status_of(firm) == "待受理"
    assert "武汉市江岸区楚味餐饮有限公司" in firm.locator("main").inner_text()
    firm.goto("/cases/")
    assert number in firm.locator("#cases").inner_text()


def held_licences(page) -> set[str]:
    page.goto("/registry/wallet/")
    tiles = page.locator("#wallet-licences a.tile h3").all()
    return {t.inner_text().strip() for t in tiles}


def test_enterprise_changes_registration_with_licences_answered_from_its_wallet(journey):
    firm = journey.as_user("demo_enterprise")
    held = held_licences(firm)
    assert "营业执照" in held
    steps.open_apply(firm, "enterprise-info-change")
    # 一键三联: each "does the enterprise hold licence X" question is answered from the wallet.
    checked = {}
    for fieldset in firm.locator("#situation fieldset.question").all():
        legend = fieldset.locator("legend").inner_text()
        if "持有" not in legend:
            continue
        choice = fieldset.locator("input[type=radio]:checked")
        assert choice.count() == 1, f"no answer preselected for «{legend}»"
        checked[legend] = choice.get_attribute("value")
    assert checked, "the change form asks nothing about the enterprise's licences"
    for legend, value in checked.items():
        holds = any(name in legend for name in held)
        assert value == ("yes" if holds else "no"), (legend, value, held)
    steps.fill_form(firm)
    steps.upload_materials(firm)
    number = steps.submit(firm)
    assert steps.status_of(firm) == "待受理"
    firm.goto("/cases/")
    assert number in firm.locator("#cases").inner_text()
