import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import resolve

pytestmark = pytest.mark.django_db


def test_the_page_greets_and_the_htmx_turn_appends_bubbles(client, mini_catalog):
    page = client.get("/assistant/")
    assert page.status_code == 200
    assert "请用一句话说说您要办的事" in page.content.decode()

    turn = client.post(
        "/assistant/turn", {"message": "我想开个面馆", "prefix": "page"}, HTTP_HX_REQUEST="true"
    )
    html = turn.content.decode()
    assert 'class="bubble you"' in html and "我想开个面馆" in html
    assert 'value="pick:mini-restaurant"' in html
    assert 'hx-target="#page-log"' in html


def test_without_javascript_the_page_keeps_the_conversation(client, mini_catalog):
    response = client.post("/assistant/turn", {"choice": "pick:mini-restaurant"})
    assert response.status_code == 302
    page = client.get("/assistant/").content.decode()
    assert "经营场所面积是否超过300平方米？" in page


def test_the_panel_targets_its_own_log_and_hides_on_the_assistant_page(rf=None):
    factory = RequestFactory()
    request = factory.get("/onethings/")
    request.resolver_match = resolve("/onethings/")
    html = render_to_string("assistant/_chat_panel.html", {"request": request})
    assert 'id="panel-log"' in html and "<details" in html
    request = factory.get("/assistant/")
    request.resolver_match = resolve("/assistant/")
    assert "<details" not in render_to_string("assistant/_chat_panel.html", {"request": request})


def test_history_for_the_panel(client, mini_catalog):
    client.post("/assistant/turn", {"message": "开饭店"})
    html = client.get("/assistant/history", {"prefix": "panel"}).content.decode()
    assert "开饭店" in html and 'hx-target="#panel-log"' in html
