"""Catalog staff work in the admin: preview with answers, advance one step, see problems."""


def test_catalog_admin_previews_the_blueprint_with_chosen_answers(client, dora):
    client.force_login(dora)
    response = client.get("/admin/catalog/onething/mini-restaurant/preview/", {"big": "yes"})
    assert response.status_code == 200
    assert "消防设施平面图" in response.content.decode()
    assert '<option value="yes" selected>' in response.content.decode()


def test_catalog_admin_advances_the_one_thing_one_step(client, dora):
    client.force_login(dora)
    client.post("/admin/catalog/onething/mini-restaurant/advance/", {"to": "定标"})
    from onething.catalog.models import OneThing

    assert OneThing.objects.get(code="mini-restaurant").status == "定标"


def test_an_applicant_cannot_open_the_admin(client, alice):
    client.force_login(alice)
    response = client.get("/admin/catalog/onething/mini-restaurant/preview/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
