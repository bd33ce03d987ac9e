"""Login through the province identity service (OpenID Connect) with a mocked provider."""

import time
from unittest import mock
from urllib.parse import parse_qs, urlparse

import jwt
import pytest

from onething.accounts.models import User
from onething.common.models import AuditRecord

SECRET = "client-secret-for-tests-0123456789abcdef"


@pytest.fixture
def oidc(settings):
    settings.ONETHING_OIDC_ENABLED = True
    settings.AUTHENTICATION_BACKENDS = [
        "onething.accounts.backends.LockoutModelBackend",
        "onething.accounts.oidc.ProvinceOIDCBackend",
    ]
    settings.OIDC_RP_CLIENT_ID = "onething"
    settings.OIDC_RP_CLIENT_SECRET = SECRET
    settings.OIDC_RP_SIGN_ALGO = "HS256"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = "https://idp.example.gov.cn/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = "https://idp.example.gov.cn/token"
    settings.OIDC_OP_USER_ENDPOINT = "https://idp.example.gov.cn/userinfo"


def provider_login(client, claims):
    start = client.get("/accounts/oidc/authenticate/")
    assert start.status_code == 302 and start.url.startswith("https://idp.example.gov.cn/authorize")
    query = parse_qs(urlparse(start.url).query)
    id_token = jwt.encode(
        {
            "iss": "https://idp.example.gov.cn",
            "aud": "onething",
            "sub": claims["sub"],
            "nonce": query["nonce"][0],
            "exp": int(time.time()) + 300,
            "iat": int(time.time()),
        },
        SECRET,
        algorithm="HS256",
    )
    token = mock.Mock(status_code=200, json=lambda: {"id_token": id_token, "access_token": "at"})
    userinfo = mock.Mock(
        status_code=200, json=lambda: claims, headers={"content-type": "application/json"}
    )
    with (
        mock.patch("mozilla_django_oidc.auth.requests.post", return_value=token),
        mock.patch("mozilla_django_oidc.auth.requests.get", return_value=userinfo),
    ):
        return client.get("/accounts/oidc/callback/", {"code": "c", "state": query["state"][0]})


def test_off_by_default(client, db):
    assert client.get("/accounts/oidc/authenticate/").status_code == 404
    assert "统一身份认证" not in client.get("/accounts/login/").content.decode()


def test_a_citizen_signs_in_and_gets_an_applicant_account(client, regions, oidc):
    assert "统一身份认证登录" in client.get("/accounts/login/").content.decode()
    claims = {"sub": "hb-001", "name": "王小明", "id_card_number": "42010219900101123X"}
    response = provider_login(client, claims)
    assert response.status_code == 302 and "_auth_user_id" in client.session
    user = User.objects.get(pk=client.session["_auth_user_id"])
    assert user.role == "applicant_person" and user.display_name == "王小明"
    assert user.id_number == "42010219900101123X"
    assert AuditRecord.objects.filter(
        action="login.success", detail__backend="ProvinceOIDCBackend"
    ).exists()


def test_an_existing_person_is_matched_by_id_number_and_keeps_their_role(client, carol, oidc):
    User.objects.filter(pk=carol.pk).update(id_number="420102198001021234")
    provider_login(client, {"sub": "x", "name": "假名", "id_card_number": "420102198001021234"})
    assert client.session["_auth_user_id"] == str(carol.pk)
    carol.refresh_from_db()
    assert carol.role == "window_clerk" and carol.display_name == "陈卡罗"  # staff keep theirs


def test_a_bad_signature_is_refused(client, regions, oidc, settings):
    settings.OIDC_RP_CLIENT_SECRET = "other"  # the token was signed with SECRET
    response = provider_login(client, {"sub": "hb-002"})
    assert "_auth_user_id" not in client.session and response.status_code == 400
    assert AuditRecord.objects.filter(action="login.failed", detail__backend="oidc").exists()
