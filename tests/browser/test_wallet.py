import pytest

from onething.registry import services
from onething.registry.tests import factories
from onething.testing import PASSWORD
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def alice_card(alice):
    person = factories.person(name="刘爱丽")
    alice.id_number = person.id_number
    alice.save(update_fields=["id_number"])
    return services.license_issue(
        license_type="id_card", department=factories.department(), data={}, person=person
    )


def test_a_citizen_sees_wallet_licences_and_a_verify_page_says_valid(page, alice_card):
    login(page, "alice", PASSWORD)
    page.goto("/registry/wallet/")
    tile = page.locator("#wallet-licences [data-license=id_card]")
    assert "居民身份证" in tile.inner_text()
    page.click("text=显示身份码")
    page.wait_for_selector("#code-slot svg")

    tile.click()
    page.wait_for_url(f"**/registry/licenses/{alice_card.identifier}/")
    number = alice_card.holder_number
    assert page.inner_text("#holder-number") == number[:4] + "*" * 10 + number[-4:]
    page.click("#show-full")  # shown in full on request, and the view is audited
    page.wait_for_url("**?full=1")
    assert page.inner_text("#holder-number") == number
    page.click("#verify-link")
    page.wait_for_selector("#verdict")
    assert page.locator("#verdict").get_attribute("data-valid") == "true"
    assert "有效" in page.locator("#verdict h2").inner_text()
