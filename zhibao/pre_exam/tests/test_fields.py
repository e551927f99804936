"""The technical fields as IPC ranges: how a range is written, what falls in it (a main group
covers its subgroups, not a longer group number), and what a field refuses to be saved with."""

import pytest
from django.core.exceptions import ValidationError

from zhibao.patents.ipc_ranges import ipc_in_prefix, normalize_ipc_prefix
from zhibao.pre_exam.fields import fields_for_ipc
from zhibao.pre_exam.models import TechnicalField


@pytest.mark.parametrize(("written", "canonical"), [
    ("C", "C"), ("c12", "C12"), ("c12n", "C12N"), (" C12N ", "C12N"),
    ("H01M 10", "H01M10/"), ("h01m10", "H01M10/"), ("H01M 10/00", "H01M10/"), ("H01M10/", "H01M10/"),
    ("H01M 0010", "H01M10/"), ("H01L31/", "H01L31/"), ("A61K 36/000", "A61K36/"),
    ("Ｈ０１Ｍ　１０", "H01M10/"), ("ｃ１２ｎ", "C12N"),  # typed with a Chinese input method
])
def test_a_range_is_stored_canonically(written, canonical):
    assert normalize_ipc_prefix(written) == canonical


@pytest.mark.parametrize("bad", ["", "  ", "I", "Z01", "C1", "C123", "C12NN", "H01M 0", "H01M 10/52", "H01M 10/057",
                                 "H01M 12345", "H01M-10", "H\u0661\u0662M", "生物"])
def test_what_is_not_a_range_is_refused_with_an_example(bad):
    with pytest.raises(ValidationError) as err:
        normalize_ipc_prefix(bad)
    assert "C12N" in err.value.messages[0] and "H01M 10" in err.value.messages[0]


@pytest.mark.parametrize(("code", "prefix", "inside"), [
    ("H01M10/052", "H01M10/", True),
    ("H01M 10/052", "H01M10/", True),  # any spelling of the code
    ("H01M10/00", "H01M10/", True),
    ("H01M100/00", "H01M10/", False),  # group 100 is not group 10
    ("H01M101/00", "H01M10/", False),
    ("H01M1/00", "H01M10/", False),
    ("H01M10/052", "H01M", True),
    ("H01M10/052", "H01", True),
    ("H01M10/052", "H", True),
    ("H01F1/057", "H01M", False),
    ("H01M", "H01M10/", False),  # a subclass is wider than one of its groups
    ("H01", "H01M", False),
    ("H01M0010052000", "H01M10/", True),  # the EPO layout
    ("H01M 10/052 (2010.01)", "H01M10/", True),
    ("not an ipc", "H01M", False),
    ("", "H", False),
])
def test_a_code_falls_in_a_range(code, prefix, inside):
    assert ipc_in_prefix(code, prefix) is inside


@pytest.mark.django_db
def test_the_default_fields_cover_their_codes():
    fields = list(TechnicalField.objects.all())
    assert [f.code for f in fields_for_ipc("H01M 10/052", fields)] == ["new_energy"]
    assert [f.code for f in fields_for_ipc("H01L 31/18", fields)] == ["new_energy"]
    assert fields_for_ipc("H01L 21/02", fields) == []
    assert [f.code for f in fields_for_ipc("C12N 15/10", fields)] == ["biology"]
    assert [f.code for f in fields_for_ipc("C08L 23/06", fields)] == ["new_materials"]
    assert fields_for_ipc("G06F 40/289", fields) == []


@pytest.mark.django_db
def test_a_field_is_saved_with_canonical_ranges_and_clean_keywords():
    field = TechnicalField(code="rare_earth", name="稀土", ipc_prefixes=["c22c 38", "H01F", "ｂ２２ｆ"],
                           keywords=[" 稀土 ", "永磁", ""])
    with pytest.raises(ValidationError) as err:
        field.full_clean()
    assert list(err.value.message_dict) == ["keywords"]  # an empty word
    field.keywords = [" 稀土 ", "永磁"]
    field.full_clean()
    assert field.ipc_prefixes == ["C22C38/", "H01F", "B22F"] and field.keywords == ["稀土", "永磁"]
    field.save()
    assert field.covers_ipc("C22C 38/005") and not field.covers_ipc("C22C 380/00")
    assert field.matches_text("钕铁硼永磁材料的生产") and not field.matches_text("软件开发")


@pytest.mark.django_db
@pytest.mark.parametrize(("prefixes", "why"), [
    (["C12N", "H01M 10/52"], "H01M 10/52"),
    ([], ""),  # Django's own "cannot be blank"
    ("C12N", "C12N"),
    ([12], "12"),
])
def test_a_field_with_a_bad_range_is_refused_once_with_the_reason(prefixes, why):
    field = TechnicalField(code="bad", name="坏", ipc_prefixes=prefixes)
    with pytest.raises(ValidationError) as err:
        field.full_clean()
    messages = err.value.message_dict["ipc_prefixes"]
    assert len(messages) == 1 and why in messages[0], messages
    assert not TechnicalField.objects.filter(code="bad").exists()
