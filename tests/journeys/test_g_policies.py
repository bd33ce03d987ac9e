"""Journey (g): policies find the enterprises that qualify, in people's words.

The demo enterprise opens 我的政策: the policies it qualifies for, and those it misses by one
condition that is close, each explained with the data catalog's labels (是/否, the options'
names), never a stored code. It applies for one with one click, its particulars brought from the
base registry, and the page says 已申请. Over the API it reads the same findings.
"""

import re

# What a stored value looks like when it leaks into a sentence meant for people.
RAW_VALUE = re.compile(r"(?<![A-Za-z])(true|false|True|False|None|null)(?![A-Za-z])")


def test_the_enterprise_sees_its_policies_explained_and_applies_in_one_click(journey, product):
    me = journey.as_user("demo_enterprise")
    me.goto("/policies/mine/")
    matched = me.locator("#matches .tile[data-policy]")
    assert matched.count() > 0, me.locator("main").inner_text()[:600]
    near = me.locator("#near-misses .tile[data-policy]")
    for n in range(near.count()):
        tile = near.nth(n)
        tile.locator("summary").click()
        text = tile.inner_text()
        assert "未满足" in text and "：不满足（实际" in text, text
        assert not RAW_VALUE.search(text), text

    offer = me.locator("#matches .tile[data-policy]", has=me.locator("a.button"))
    assert offer.count() > 0, "no policy to apply for among the matches"
    code = offer.first.get_attribute("data-policy")
    title = offer.first.locator("h3").inner_text()
    offer.first.locator("a.button", has_text="一键申请").click()
    me.wait_for_selector("main form button[type=submit]")
    registry = me.locator("main table").inner_text()
    assert "武汉市江岸区楚味餐饮有限公司" in registry, registry  # brought, not typed
    assert "武汉市江岸区" in registry.replace("武汉市江岸区楚味餐饮有限公司", ""), registry
    assert not re.search(r"\b42\d{4}\b", registry), registry  # regions by name, not code
    for box in me.locator("input[name=confirm]").all():
        box.check()
    me.click("main form button[type=submit]")
    me.wait_for_url("**/policies/mine/")
    assert f"已提交「{title}」申请" in me.locator("main").inner_text()
    assert "已申请" in me.locator(f"#matches [data-policy='{code}']").inner_text()

    api = journey.api("demo_enterprise")
    mine = api.get(f"{product.url}/api/me/policies", timeout=30)
    assert mine.status_code == 200, mine.text
    body = mine.json()
    assert code in {f["code"] for f in body["matches"]}
    for finding in body["near_misses"]:
        assert finding["failed"] and not any(RAW_VALUE.search(line) for line in finding["failed"])
