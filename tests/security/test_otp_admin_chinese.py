"""The admin's login, second-factor and TOTP-device pages show no English from django-otp.

django-otp writes its model's names, help texts and admin section titles as plain English
(not marked for translation); onething.accounts.otp_labels names them in Chinese.
"""

import lxml.html
import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from onething.accounts.otp_labels import SECTIONS
from onething.testing import PASSWORD, _persona

pytestmark = pytest.mark.django_db


def otp_english() -> set[str]:
    """django-otp's own English words for the TOTP device, as its sources write them."""
    fields = TOTPDevice._meta.get_fields()
    helps = {f.help_text for f in fields if getattr(f, "help_text", "")}
    names = {f.name.replace("_", " ") for f in fields if f.concrete}
    return {s.lower() for s in helps | names | set(SECTIONS)} | {
        "otp_totp",
        "totp device",
        "totp devices",
        "qr code",
        "otp token",
        "otp device",
    }


def english_seen(html: str) -> set[str]:
    """Visible text nodes (and their "Label:" forms) that are one of django-otp's strings."""
    doc = lxml.html.fromstring(html)
    nodes = doc.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]")
    shown = {" ".join(n.split()).strip("›: ").lower() for n in nodes}
    shown |= {t.split(" | ")[0].lower() for t in doc.xpath("//title/text()")}
    searched = " ".join(shown)
    found = shown & otp_english()
    return found | {s for s in ("search by user", "totp device") if s in searched}


def test_the_english_list_is_taken_from_django_otp_itself():
    assert "the human-readable name of this device." in otp_english()
    assert "throttling failure count" in otp_english() and "identity" in otp_english()


def test_the_admin_login_and_second_factor_pages_show_no_english_from_django_otp(
    client, carol, require_2fa
):
    carol.is_staff = True
    carol.save(update_fields=["is_staff"])
    TOTPDevice.objects.create(user=carol, name="手机", confirmed=True)
    login = client.get("/admin/login/")
    assert login.status_code == 200 and "登录" in login.content.decode()
    assert not english_seen(login.content.decode())
    sent = client.post("/admin/login/?next=/admin/", {"username": "carol", "password": PASSWORD})
    second = client.get(sent.url, follow=True)
    assert second.redirect_chain[-1][0].startswith("/accounts/2fa/")
    assert "验证码" in second.content.decode() and not english_seen(second.content.decode())


@pytest.fixture
def secadmin(mini_catalog):
    return _persona("sec_otp", "secadmin", display_name="安全管理员")


def test_the_security_admin_reads_second_factors_in_chinese(client, secadmin, carol):
    device = TOTPDevice.objects.create(user=carol, name="手机", confirmed=True)
    client.force_login(secadmin)
    index = client.get("/admin/").content.decode()
    assert "双因素认证" in index and "身份验证器（TOTP）" in index
    listing = client.get("/admin/otp_totp/totpdevice/").content.decode()
    assert "按用户名或电子邮件地址搜索" in listing and "最近使用时间" in listing
    page = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/").content.decode()
    assert "失败限制" in page and "连续验证失败次数" in page and "便于识别的设备名称。" in page
    delete = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/delete/").content.decode()
    for html in (index, listing, page, delete):
        assert not english_seen(html)
