"""Journey (c): from one application to sealed licences that anyone can verify.

The window accepts; every department's demo reviewer decides its task in parallel (fire and
water decide in their own systems, the reference department systems `onething run` starts); the case
reaches 办结; the worker (a separate process) seals the licences within 60 s and each one verifies
on the public verification page. A licence past its validity shows 已过期 there and in the wallet.
"""

import re
from datetime import date

from . import steps

LICENCE = re.compile(r"[a-z_]+\.[0-9]{6}-[a-z_]+\.[0-9]{8}\.[0-9]{2}\.[0-9A-Z]")


def test_reviewers_of_every_department_decide_in_parallel_and_licences_verify(journey, product):
    me = journey.as_user("demo_citizen")
    steps.open_apply(
        me,
        "open-restaurant",
        {"subject_type": "individual", "public_venue": "yes", "has_sign": "yes"},
    )
    steps.fill_form(
        me,
        {
            "enterprise_name_proposed": "武汉市江岸区楚香面馆",
            "enterprise_name": "武汉市江岸区楚香面馆",
        },
    )
    steps.upload_materials(me)
    number = steps.submit(me)

    steps.accept(journey.as_user("demo_clerk"), number)

    accounts, serial, departments = steps.demo_accounts(product), [0], set()
    reviewers: dict[str, object] = {}
    while True:  # stage by stage: each stage's tasks are decided side by side
        active = steps.next_stage(me, number)  # fire and water decide in their own systems
        if not active:
            break
        departments |= set(active.values())
        pages = {}
        for item, department in active.items():
            username = steps.reviewer_for(accounts, department)
            if username not in reviewers:
                reviewers[username] = journey.as_user(username)
            # One reviewer may hold two tasks of the case (food licence and registration are
            # both market regulation): each decision gets its own tab.
            page = (
                reviewers[username]
                if reviewers[username] not in pages.values()
                else reviewers[username].context.new_page()
            )
            pages[item] = page
        steps.decide_in_parallel(pages, number, serial)
    assert len(departments) >= 2, departments  # market, urban management

    me.goto(f"/cases/{number}/")
    assert steps.status_of(me) == "已办结"
    # Each issued licence reads 已签发电子证照 and links to its public check by identifier.
    links = me.locator("#tasks a[href^='/registry/verify/']")
    identifiers = [
        LICENCE.fullmatch(h.split("/registry/verify/", 1)[1]).group(0)
        for h in (links.nth(n).get_attribute("href") for n in range(links.count()))
    ]
    tasks_text = me.locator("#tasks").inner_text()
    assert len(identifiers) >= 2, tasks_text  # business + food licence
    assert tasks_text.count("已签发电子证照") == len(identifiers), tasks_text

    public = journey.as_user(None)
    for identifier in identifiers:

        def verified(identifier=identifier):
            public.goto("/registry/verify/")
            public.fill("#identifier", identifier)
            public.click("main form button[type=submit]")
            public.wait_for_selector("#verdict")
            return public.locator("#verdict").get_attribute("data-valid") == "true"

        steps.wait_for(verified, seconds=60, every=3, what=f"{identifier} sealed and valid")
        text = public.locator("main").inner_text()
        assert "电子印章验证通过" in text and "现行有效" in text, text


def test_an_expired_licence_shows_expired(journey):
    firm = journey.as_user("demo_enterprise")
    firm.goto("/registry/wallet/")
    today = date.today()
    expired = []
    for tile in firm.locator("a.tile").all():
        until = re.search(r"有效期至：(\d{4})年(\d{1,2})月(\d{1,2})日", tile.inner_text())
        if until and date(*map(int, until.groups())) < today:
            assert "已过期" in tile.inner_text(), tile.inner_text()
            expired.append(tile.get_attribute("href").split("/")[-2])
    assert expired, "the demo enterprise holds no licence past its validity to show"
    public = journey.as_user(None)
    public.goto(f"/registry/verify/{expired[0]}")
    assert public.locator("#verdict").get_attribute("data-valid") == "false"
    text = public.locator("main").inner_text()
    assert "已过期" in text, text
