import pytest

from onething.policies import services
from onething.policies.models import Policy
from onething.policies.tests import conftest as policy_fixtures
from onething.testing import PASSWORD
from tests.browser.conftest import login

# The policy app's fixtures, shared here rather than copied.
elders_ = pytest.fixture(policy_fixtures.elders.__wrapped__, name="elders")
enterprise_user_ = pytest.fixture(
    policy_fixtures.enterprise_user.__wrapped__, name="enterprise_user"
)
firm_ = pytest.fixture(policy_fixtures.firm.__wrapped__, name="firm")
library_ = pytest.fixture(policy_fixtures.library.__wrapped__, name="library")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_enterprise_sees_matched_policies_and_a_near_miss_explained(
    page, enterprise_user, library
):
    login(page, "chuwei", PASSWORD)
    page.goto("/policies/mine/")
    assert page.locator("#matches [data-policy=HB-E-XWSDS]").is_visible()
    near = page.locator("#near-misses [data-policy=HB-E-GXRD]")
    assert "高新技术企业" in near.inner_text() and "不满足" in near.inner_text()


def test_staff_approves_an_elderly_allowance_batch_and_downloads_the_csv(
    page, library, elders, dora
):
    from onething.common import jobs

    services.run_start(policy=Policy.objects.get(code="HB-P-GLJT"), kind="grant", actor=dora)
    jobs.run_pending()
    login(page, "dora", PASSWORD)
    page.goto("/policies/batches/")
    page.click("text=高龄津贴")
    assert "450" in page.locator(".stats").inner_text()
    page.click("button[value=approve]")
    page.wait_for_selector("#download-csv")
    assert page.locator("#batch-status").inner_text() == "已批准"
    with page.expect_download() as info:
        page.click("#download-csv")
    with open(info.value.path(), encoding="utf-8-sig") as handle:
        content = handle.read()
    assert "张百一" in content and "300.00" in content
