"""Materials with identities and a theme's one checklist (一次性告知, 一套材料)."""
from __future__ import annotations

import pytest

from core.settings.loader import SettingsError, load_settings, parse_settings
from core.settings.materials import Material, MaterialNeed, checklist

KNOWN = {
    "id_card": Material("id_card", "身份证", "ID card", "original_and_copy", 1),
    "licence": Material("licence", "营业执照", "Business licence", "copy", 1,
                        produced_by=("OPEN",)),
    "photo": Material("photo", "照片", "Photo", "original", 2),
    "photo_one": Material("photo_one", "照片", "Photo", "original", 1),
}


def test_a_material_is_listed_once_with_the_widest_form_and_largest_count():
    copy_only = dict(KNOWN, id_card=Material("id_card", "身份证", "ID card", "copy", 3))
    lines = checklist([("A", ("id_card", "表一")), ("B", ("表一", "id_card"))],
                      {"id_card": KNOWN["id_card"]})
    assert [n.id for n in lines] == ["id_card", "表一"]
    wider = checklist([("A", ("id_card",))], copy_only)
    assert wider[0].form == "copy" and wider[0].count == 3
    mixed = checklist([("A", ("photo_one",)), ("B", ("photo",))], KNOWN)
    assert [n.id for n in mixed] == ["photo_one", "photo"]     # two materials, two ids


def test_forms_widen_to_original_and_copy():
    known = {"x": Material("x", "X", form="original"), "y": Material("y", "Y", form="copy")}
    both = checklist([("A", ("x",))], known)[0]
    assert both.form == "original"
    merged = checklist([("A", ("x",)), ("B", ("x",))],
                       {"x": Material("x", "X", form="copy")} | {"y": known["y"]})
    assert merged[0].form == "copy"
    from core.settings.materials import _wider
    assert _wider("original", "copy") == "original_and_copy"
    assert _wider("", "copy") == "copy" and _wider("", "") == ""


def test_what_the_matters_produce_is_not_asked_for():
    with_producer = checklist([("OPEN", ("id_card",)), ("TAX", ("licence", "id_card"))], KNOWN)
    assert [n.id for n in with_producer] == ["id_card"]
    alone = checklist([("TAX", ("licence",))], KNOWN)
    assert [n.id for n in alone] == ["licence"]


def test_labels_in_chinese_and_english():
    need = MaterialNeed("id_card", "身份证", "ID card", "original_and_copy", 1)
    assert need.label() == "身份证（原件及复印件1份）"
    assert need.label("en") == "ID card (original and copy, 1)"
    bare = MaterialNeed("表一", "表一", "", "", 1)
    assert bare.label() == "表一" and bare.label("en") == "表一"


@pytest.fixture(scope="module")
def demo_text():
    with open("config/demo-hall.toml", encoding="utf-8") as handle:
        return handle.read()


def test_an_unknown_material_id_is_named_with_its_line(demo_text):
    broken = demo_text.replace('"business_licence"', '"business_license"', 2)
    with pytest.raises(SettingsError) as caught:
        parse_settings(broken, "demo.toml")
    text = str(caught.value)
    assert "unknown material id 'business_license'" in text
    assert "did you mean 'business_licence'" in text


def test_a_material_produced_by_an_unknown_matter_is_refused(demo_text):
    broken = demo_text.replace('produced_by = ["SW-0304"]', 'produced_by = ["SW-9999"]')
    with pytest.raises(SettingsError, match=r"materials\[\d+\]\.produced_by\[0\]: unknown "
                                            r"matter 'SW-9999'"):
        parse_settings(broken)


def test_material_ids_are_unique_and_well_formed(demo_text):
    doubled = demo_text + '\n[[materials]]\nid = "agent_id"\nname = "又一个"\n'
    with pytest.raises(SettingsError, match="agent_id"):
        parse_settings(doubled)
    badly = demo_text + '\n[[materials]]\nid = "Agent-ID"\nname = "又一个"\n'
    with pytest.raises(SettingsError, match="not a material id"):
        parse_settings(badly)


def test_the_server_answers_labels_not_ids():
    demo = load_settings("config/demo-hall.toml")
    labels = demo.material_labels("SS-0106")
    assert "营业执照副本（复印件1份）" in labels
    assert all(not label.isascii() for label in labels)
