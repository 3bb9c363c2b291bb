"""The `[[forms]]` section and device owners: the demo hall's forms, and each mistake
named with its line."""
from __future__ import annotations

import pytest

from core.forms import validate
from core.settings.forms import Form
from core.settings.loader import SettingsError, parse_settings
from tests.conftest import DEMO_HALL

BASE = DEMO_HALL.read_text(encoding="utf-8")
FORM = '''
[[forms]]
code = "sample"
name = "样表"
matter = "{matter}"

[[forms.fields]]
name = "{name}"
label = "字段"
type = "{type}"
{extra}
'''


def _problems(matter="YB-0604", name="field_one", type="text", extra="") -> str:
    text = BASE + FORM.format(matter=matter, name=name, type=type, extra=extra)
    with pytest.raises(SettingsError) as error:
        parse_settings(text, "hall.toml")
    return str(error.value)


def test_the_demo_hall_s_forms(settings):
    forms = {f.code: f for f in settings.forms}
    assert set(forms) == {"medical-filing", "fund-withdrawal-check", "pension-enrolment"}
    for form in forms.values():
        assert settings.has("matter", form.matter)
        assert form.field("id_number").from_id_card == "number"
        assert form.field("holder_name").from_id_card == "name"
        assert any(f.type == "choice" for f in form.fields) or form.code != "medical-filing"
        assert Form.from_dict(form.to_dict()) == form
    pension = forms["pension-enrolment"]
    assert pension.field("bank_card").required is False
    assert {c.value for c in pension.field("sex").choices} == {"male", "female"}


def test_a_demo_form_accepts_what_a_card_and_a_few_touches_give(settings):
    form = next(f for f in settings.forms if f.code == "pension-enrolment")
    values = {"holder_name": "王五", "id_number": "610503198001011235", "sex": "男",
              "born": "1980-01-01", "address": "陕西省渭南市华州区某街1号",
              "contribution_grade": "500", "phone": "13800138000"}
    assert validate(form, values)["sex"] == "male"


@pytest.mark.parametrize("kwargs, says", [
    ({"matter": "XX-9999"}, "forms[3].matter: unknown matter 'XX-9999'"),
    ({"type": "choice"}, "a choice field needs its choices"),
    ({"extra": 'choices = [{ value = "a", label = "甲" }]'}, "only a choice field has choices"),
    ({"extra": 'from_id_card = "number"'}, "the card's number fills a field of type id_number"),
    ({"extra": 'pattern = "[a-"'}, "is not a regular expression"),
    ({"extra": "max_length = 500"}, "must be at most 200"),
    ({"extra": "min_length = 9\nmax_length = 3"}, "9 is more than max_length 3"),
    ({"name": "Bad Name"}, "is not a field name"),
    ({"type": "money"}, "unknown field type 'money'"),
    ({"extra": 'from_id_card = "photo"'}, "unknown ID card part 'photo'"),
])
def test_mistakes_in_a_form_are_named(kwargs, says):
    problems = _problems(**kwargs)
    assert says in problems, problems
    assert "hall.toml:" in problems


def test_a_form_code_and_a_field_name_are_unique():
    text = BASE + FORM.format(matter="YB-0604", name="one", type="text", extra="") + \
        FORM.format(matter="YB-0604", name="one", type="text", extra="") + '''
[[forms.fields]]
name = "one"
label = "again"
'''
    with pytest.raises(SettingsError) as error:
        parse_settings(text, "hall.toml")
    assert "duplicate code 'sample'" in str(error.value)
    assert "field 'one' is listed twice" in str(error.value)


def test_a_device_s_owner_is_a_credential():
    text = BASE.replace('owner = "hall-display"', 'owner = "hall-dispaly"', 1)
    with pytest.raises(SettingsError) as error:
        parse_settings(text, "hall.toml")
    assert "devices[4].owner: unknown credential 'hall-dispaly'" in str(error.value)
    assert "did you mean 'hall-display'" in str(error.value)
