"""What people do on the shipped pages, one step at a time (shared by the journeys)."""

import re
import time
from datetime import date, timedelta

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CASE_URL = re.compile(r"/cases/(\d{6}-\d{8}-\d{6})/$")

# What a person types into the one form, by field (anything read-only comes from the registry).
TYPED = {
    "applicant_name": "张晓明",
    "applicant_id_number": "420102198805121233",
    "applicant_phone": "13871000001",
    "enterprise_name_proposed": "武汉市江岸区楚香小馆",
    "enterprise_name": "武汉市江岸区楚香小馆",
    "business_scope": "餐饮服务",
    "premises_address": "湖北省武汉市江岸区解放大道1000号",
    "premises_area": "80",
    "registered_capital": "50",
    "legal_rep_name": "张晓明",
    "legal_rep_id_number": "420102198805121233",
    "registered_address": "湖北省武汉市江岸区解放大道1000号",
    "food_business_items": "热食类食品制售",
    "seat_count": "30",
    "contact_name": "张晓明",
    "contact_phone": "13871000001",
    "sign_content": "楚香小馆",
    "sign_size": "3×1",
    "discharge_volume": "5",
    "exam_hospital": "武汉市江岸区人民医院",
    "destination_region": "广东省",  # a region is picked by its name, as a person reads it
    "destination_address": "广东省深圳市南山区科技园南区18号",
    "filing_start_date": (date.today() + timedelta(days=7)).isoformat(),
    "change_after": "住所变更为湖北省武汉市江岸区沿江大道188号",
    "bank_name": "中国工商银行武汉江岸支行",
    "bank_account_number": "3202000109200012345",
}


def id_number(region: str, born: str, seq: str) -> str:
    """A GB 11643 citizen identity number with its check character (synthetic people)."""
    body = f"{region}{born}{seq}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]


def credit_code(region: str, serial: int) -> str:
    """A GB 32100 unified social credit code for a new shop (92: market regulation, individual
    business), with both check characters; the arithmetic is the product's pure validator."""
    from onething.common.validators import make_credit_code

    return make_credit_code(region, f"J{serial:07d}", authority="9", category="2")


def choose(page, selector: str, text: str) -> None:
    """Pick the option whose visible text contains `text` (a person reads labels, not values)."""
    page.wait_for_selector(selector)
    options = page.locator(f"{selector} option", has_text=text)
    assert options.count() >= 1, f"no «{text}» in {selector}"
    page.select_option(selector, value=options.first.get_attribute("value"))


def open_apply(page, code: str, answers: dict[str, str] | None = None) -> None:
    """From the catalog page: choose the situation, then 按所选情形在线申请."""
    page.goto(f"/onethings/{code}/")
    for question, value in (answers or {}).items():
        page.check(f"input[name=a_{question}][value={value}]")
    page.click("text=按所选情形在线申请")
    page.wait_for_selector("#apply-form")
    for question, value in (answers or {}).items():  # the apply page keeps what was chosen
        radio = page.locator(f"#situation input[name=a_{question}][value={value}]")
        if not radio.is_checked():
            radio.check()
            page.wait_for_load_state()
            page.wait_for_selector("#apply-form")


def fill_form(page, values: dict[str, str] | None = None) -> dict[str, str]:
    """Type what is not prefilled; returns the fields the registry filled (read-only)."""
    values = {**TYPED, **(values or {})}
    prefilled = {}
    for field in page.locator("#apply-form [id^=f_]").all():
        name = field.get_attribute("id")[2:]
        if field.get_attribute("readonly") is not None:
            prefilled[name] = field.input_value()
        elif field.evaluate("e => e.tagName") == "SELECT":
            if name in values:
                choose(page, f"#f_{name}", values[name])
        elif name in values:  # a draft left from an earlier visit may hold other values
            field.fill(values[name])
    return prefilled


def upload_materials(page, commit: tuple[str, ...] = ()) -> list[str]:
    """Upload a PDF for every material asked for; commit (告知承诺) to those named instead."""
    asked = []
    for row in page.locator("#apply-materials tr[data-material]").all():
        material = row.get_attribute("data-material")
        if row.locator("input[type=file]").count() == 0:
            continue
        asked.append(material)
        if material in commit:
            row.locator(f"input[name=commit_{material}]").check()
            due = (date.today() + timedelta(days=30)).isoformat()
            row.locator(f"input[name=due_{material}]").fill(due)
        else:
            row.locator("input[type=file]").set_input_files(
                {"name": f"{material}.pdf", "mimeType": "application/pdf", "buffer": PDF}
            )
    return asked


def submit(page) -> str:
    """预览 → 同意授权 → 提交; returns the case number the person is shown."""
    # Uploads make the preview the slowest page; under both suites at once it has taken over 30 s.
    with page.expect_navigation(timeout=90000):
        page.click("button[value=preview]")
    assert page.locator("#consent").count(), "no preview; the page says: " + errors_on(page)
    page.check("#consent")
    page.click("button[value=submit]")
    page.wait_for_load_state()
    match = CASE_URL.search(page.url)
    assert match, "not submitted; the page says: " + errors_on(page)
    return match.group(1)


def errors_on(page) -> str:
    alerts = page.locator("[role=alert], .error")
    return (
        " / ".join(a.inner_text() for a in alerts.all()) or page.locator("main").inner_text()[:400]
    )


def status_of(page) -> str:
    return page.locator("#case-status").inner_text().strip()


def accept(page, number: str, decision: str = "accept") -> None:
    """The window clerk opens the case from the queue and accepts it."""
    page.goto("/cases/")
    page.click(f"#window-queue [data-case='{number}'] a")
    page.check(f"#acceptance input[name=decision][value={decision}]")
    page.click("#acceptance button[type=submit]")
    page.wait_for_selector("#case-status:has-text('办理中')")


def wait_for(check, *, seconds: float, every: float = 2.0, what: str = ""):
    """Poll a page-level check until it holds (the worker runs on its own clock)."""
    deadline = time.monotonic() + seconds
    while True:
        result = check()
        if result:
            return result
        assert time.monotonic() < deadline, f"not within {seconds:.0f} s: {what}"
        time.sleep(every)


def demo_accounts(product) -> list[tuple[str, str, str]]:
    """`onething demo users` as printed for a person starting the demo, read as (role, place,
    username): role headings, then each department or region, then its accounts."""
    done = product.cli("demo", "users", timeout=300)
    assert done.returncode == 0, done.stderr
    accounts, role, place = [], "", ""
    for line in done.stdout.splitlines():
        words = line.split()
        if not words or "密码" in line:
            continue
        user = next((w for w in words if w.startswith("demo_")), None)
        if user:
            accounts.append((role, place, user))
        elif not line.startswith(" "):
            role = line.strip()
        else:
            place = line.strip()
    return accounts


def reviewer_for(accounts: list[tuple[str, str, str]], department: str, role: str = "审批") -> str:
    """The demo account of a department with a role (部门审批人员, 部门管理员), by the list."""
    for heading, place, username in accounts:
        if place == department and role in heading:
            return username
    raise AssertionError(f"no demo account «{role}» for «{department}» in `onething demo users`")


def active_tasks(page, *, external: bool = False) -> dict[str, str]:
    """item → department, for the tasks the case page shows as waiting for a decision in
    onething's pages (or, with ``external``, in a department's own system)."""
    rows = {}
    for row in page.locator("#tasks tr[data-item]").all():
        status = row.locator(".status").inner_text()
        held = "部门业务系统办理" in status
        if status.startswith("审批中") and held == external:
            rows[row.get_attribute("data-item")] = row.locator("td").nth(2).inner_text().strip()
    return rows


def next_stage(page, number: str, seconds: float = 90) -> dict[str, str]:
    """The tasks reviewers decide next, once the departments' own systems have answered for
    theirs (the reference systems decide a few seconds after the dispatch)."""

    def ready():
        page.goto(f"/cases/{number}/")
        active = active_tasks(page)
        return (active or not active_tasks(page, external=True)) and {"tasks": active}

    return wait_for(ready, seconds=seconds, what="departments' systems answered")["tasks"]


def decide_in_parallel(pages: dict[str, object], number: str, serial: list[int]) -> None:
    """Each department's reviewer has the case open; they press 提交决定 at the same moment."""
    for item, page in pages.items():
        page.goto(f"/cases/{number}/")
        form = page.locator(f"form.decide[data-task={item}]")
        assert form.count() == 1, f"{item}: no decision form for this reviewer"
        assert page.locator("#case-form tr").count(), f"{item}: the reviewer cannot read the form"
        for link in page.locator("a.open-material").all():  # the files its item uses
            opened = page.request.get(link.get_attribute("href"))
            assert opened.ok and opened.body().startswith(b"%PDF"), link.get_attribute("href")
        form.locator("input[name=decision][value=approve]").check()
        form.locator("input[name=opinion]").fill("经审查，符合条件，准予许可")
        code = form.locator("input[name=r_credit_code]")
        if code.count():
            serial[0] += 1
            code.fill(credit_code("420102", serial[0]))
    for item, page in pages.items():  # all submitted before any answer is awaited
        page.locator(f"form.decide[data-task={item}]").evaluate("f => f.requestSubmit()")
    for item, page in pages.items():
        page.wait_for_selector(f"#tasks tr[data-item={item}] .status:has-text('准予')")
