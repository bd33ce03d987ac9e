"""The index on literal documents: no database, so the method is tested on its own."""

from onething.assistant.index import Doc, Index

DOCS = [
    Doc(
        "birth",
        "新生儿出生",
        "onething",
        title=["新生儿出生"],
        keys=["出生", "户口"],
        onethings=("birth",),
    ),
    Doc(
        "shop",
        "开办餐饮店",
        "onething",
        title=["开办餐饮店", "开饭店"],
        keys=["餐饮"],
        onethings=("shop",),
    ),
    Doc(
        "food",
        "食品经营许可",
        "item",
        title=["食品经营许可"],
        detail=["营业执照"],
        onethings=("shop",),
    ),
    Doc(
        "change",
        "企业信息变更",
        "onething",
        title=["企业信息变更"],
        keys=["变更登记"],
        onethings=("change",),
    ),
]
SYNONYMS = [
    ("餐饮", ["开面馆", "开饭店"]),
    ("变更登记", ["改经营范围"]),
    ("户口登记", ["宝宝落户"]),
    ("户口迁移", ["落户"]),
]


def index():
    return Index(DOCS, SYNONYMS)


def codes(hits):
    return [h.code for h in hits]


def test_small_insertions_still_match_a_colloquial_term():
    hits = index().search("我想开个面馆")
    assert codes(hits)[0] == "shop"
    assert any("餐饮" in w for w in hits[0].why)


def test_a_verb_after_its_object_still_matches():
    terms = {t.shown for t in index().terms("经营范围要改")}
    assert "改经营范围→变更登记" in terms


def test_a_term_inside_a_longer_match_is_dropped():
    shown = {t.shown for t in index().terms("宝宝落户")}
    assert "宝宝落户→户口登记" in shown
    assert not any(s.startswith("落户→") for s in shown)


def test_a_homophone_typo_is_corrected_to_catalog_vocabulary():
    hits = index().search("营业值照")
    assert hits and hits[0].code == "shop"
    assert "营业值照→营业执照" in hits[0].why


def test_a_one_thing_ranks_above_the_item_inside_it():
    hits = index().search("食品经营许可")
    assert codes(hits)[:2] == ["shop", "food"]
    assert hits[0].score > hits[1].score


def test_nothing_to_search_for_gives_no_results():
    for query in ["", "   ", "😀😀😀", "<>?!", "的了吗"]:
        assert index().search(query) == []


def test_a_single_character_weighs_less_than_a_word():
    docs = DOCS + [
        Doc(
            "haul",
            "开办运输企业",
            "onething",
            title=["开办运输企业"],
            keys=["小"],
            onethings=("haul",),
        ),
    ]
    idx = Index(docs, SYNONYMS)
    weights = {t.token: t.weight for t in idx.terms("我想开个小饭店")}
    assert weights["小"] < weights["饭店"]
    assert codes(idx.search("我想开个小饭店"))[0] == "shop"
