"""Normalization keeps offsets: the canonical view maps back into the text as read."""
from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from quanhe.normalize import canonical_word, fold, normalize

VIETNAMESE = "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
text_strategy = st.text(alphabet=VIETNAMESE + VIETNAMESE.upper() + " ,.-0123456789", max_size=80)


def test_old_and_new_tone_placement_fold_to_one_form() -> None:
    assert canonical_word("hoà") == canonical_word("hòa") == "hòa"
    assert canonical_word("thuỷ") == canonical_word("thủy")
    assert canonical_word("Khoẻ") == "Khỏe"
    assert canonical_word("quý") == "quý"           # "qu" is an onset: nothing to move
    assert canonical_word("hoàng") == "hoàng"       # the pair does not end the syllable


def test_fold_is_what_a_person_types() -> None:
    assert fold("Đối tác Chiến lược Toàn diện") == "doi tac chien luoc toan dien"
    assert fold("Hoa Kỳ") == "hoa ky"


@given(text_strategy)
def test_fold_keeps_the_length_of_nfc_text(text: str) -> None:
    nfc = unicodedata.normalize("NFC", text)
    assert len(fold(nfc)) == len(nfc)


@given(text_strategy)
def test_normalized_view_maps_back_to_the_original(text: str) -> None:
    original = unicodedata.normalize("NFD", text)
    view = normalize(original)
    assert unicodedata.normalize("NFC", view.text) == view.text
    for i in range(len(view.text) + 1):
        assert 0 <= view.original(i) <= len(original)
    # every word of the view starts where that word starts in the original
    if view.text:
        assert view.original(len(view.text)) == len(original)


@given(text_strategy)
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize(text).text
    assert normalize(once).text == once
