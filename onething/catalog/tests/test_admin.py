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


def test_the_admin_speaks_chinese_app_names_and_choice_labels(client, dora):
    """A TextChoices member given only a value is labelled from its English name (Rollout)."""
    import re

    from django.apps import apps

    han = re.compile(r"[\u4e00-\u9fff]")
    ours = [a for a in apps.get_app_configs() if a.name.startswith("onething.")]
    assert [a.label for a in ours if not han.search(str(a.verbose_name))] == []
    english = [
        (m._meta.label, f.name, label)
        for m in apps.get_models()
        for f in m._meta.get_fields()
        for _, label in getattr(f, "choices", None) or []
        if m._meta.app_label in {a.label for a in ours} and not han.search(str(label))
    ]
    assert english == []
    client.force_login(dora)
    index = client.get("/admin/").content.decode()
    assert "事项目录" in index and ">Catalog<" not in index
    listing = client.get("/admin/catalog/onething/").content.decode()
    for word in ("Rollout", "Pilot", "Initial", "After Death", "Entry"):
        assert word not in listing


def test_the_one_things_member_items_are_named_in_the_admin(client, dora):
    client.force_login(dora)
    page = client.get("/admin/catalog/onething/mini-restaurant/change/").content.decode()
    assert "OneThingItem object" not in page and "mini-registration（" in page


def test_the_header_names_the_user_and_the_role_without_nested_brackets(client, dora):
    client.force_login(dora)
    page = client.get("/").content.decode()
    assert f'<span class="who">{dora} · 目录管理员（数据局）</span>' in page
