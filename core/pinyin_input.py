"""Hanzi candidates for pinyin typed on the kiosk's keyboard (where text cannot be
avoided: a name, an address, a search).

Two sources, in this order:
1. the hall's own vocabulary (matter, theme, material, category and form words from
   the config): a word is offered when the letters read it from its start, in full
   pinyin or initials ("sfz" -> 身份证, "gongsi" -> 公司...);
2. single characters: pypinyin's dictionary read backwards, limited to the 6,763
   characters of GB 2312 (what Chinese printers and ID cards use). pypinyin has no
   frequencies, so the order is: characters whose main reading the letters are; then
   the 500 most frequent characters of modern Chinese (FREQUENT, in frequency order);
   then the hall's vocabulary; then GB 2312's own order (its first level, 3,755 common
   characters, before its second).
No dictionary download and no IME engine: pypinyin is already a dependency.
"""
from __future__ import annotations

from functools import lru_cache

from pypinyin import Style
from pypinyin.pinyin_dict import pinyin_dict
from pypinyin.style import convert

from core.search import SubjectSearch, reading_match

# The most frequent characters of modern Chinese, most frequent first.
FREQUENT = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工"
    "也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物"
    "现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全"
    "表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无"
    "系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基"
    "资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取"
    "据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权"
    "收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离"
    "华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低"
    "持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历"
    "市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却"
    "专状育厂京识适属圆包火住调满县局照参红细引听该铁价严")
_FREQUENCY = {char: rank for rank, char in enumerate(dict.fromkeys(FREQUENT))}


@lru_cache(maxsize=1)
def _characters() -> dict[str, list[str]]:
    """Tone-less syllable -> GB 2312 characters with that reading: those for which it is
    the main reading first, then the first level before the second."""
    found: dict[str, list[tuple[bool, bytes, str]]] = {}
    for point, readings in pinyin_dict.items():
        char = chr(point)
        try:
            encoded = char.encode("gb2312")
        except UnicodeEncodeError:
            continue
        if len(encoded) != 2:
            continue
        for order, reading in enumerate(readings.split(",")):
            syllable = convert(reading, Style.NORMAL, strict=True)
            found.setdefault(syllable, []).append((order > 0, encoded, char))
    return {s: list(dict.fromkeys(c for *_, c in sorted(chars))) for s, chars in found.items()}


@lru_cache(maxsize=1)
def _main_readings() -> dict[str, set[str]]:
    """Tone-less syllable -> the characters whose first reading it is."""
    found: dict[str, set[str]] = {}
    for syllable, chars in _characters().items():
        for char in chars:
            readings = pinyin_dict[ord(char)].split(",")
            if convert(readings[0], Style.NORMAL, strict=True) == syllable:
                found.setdefault(syllable, set()).add(char)
    return found


class Candidates:
    """Candidates for the letters typed so far."""

    def __init__(self, vocabulary: list[str]) -> None:
        words = list(dict.fromkeys(w for w in vocabulary if len(w) > 1))
        self.words = SubjectSearch([(w, w) for w in words])
        self.common = "".join(dict.fromkeys("".join(vocabulary)))

    @classmethod
    def of_hall(cls, settings, extra: list[str] = ()) -> Candidates:
        vocabulary = [m.name for m in settings.matters] + [t.name for t in settings.themes]
        vocabulary += [c.name for c in settings.categories]
        vocabulary += [m.name for m in getattr(settings, "materials", ())]
        for matter in settings.matters:
            vocabulary += [m for m in matter.materials if not m.isascii()]
        return cls(vocabulary + list(extra))

    def for_letters(self, letters: str, limit: int = 12) -> list[str]:
        """Words of the vocabulary the letters read from their start, then characters
        whose reading starts with the letters."""
        letters = letters.lower()
        if not letters:
            return []
        words = self._words_from_start(letters) if len(letters) >= 3 else []
        table = _characters()
        exact = table.get(letters, [])
        longer = [c for s, cs in table.items() if s.startswith(letters) and s != letters
                  for c in cs] if len(letters) < 3 else []
        pool = list(dict.fromkeys(exact + longer))
        rank = {c: i for i, c in enumerate(pool)}
        main = _main_readings().get(letters, set())
        chars = sorted(pool, key=lambda c: (c not in main, _FREQUENCY.get(c, 10_000),
                                             c not in self.common, rank[c]))
        words = words[:max(1, limit // 3)]       # leave room for single characters
        return list(dict.fromkeys(words + chars))[:limit]

    def _words_from_start(self, letters: str) -> list[str]:
        found = []
        for entry in self.words.entries:
            match = reading_match(letters, entry.readings)
            if match == (0, 0) and len(letters) >= 2:
                found.append(entry.name)
        return sorted(found, key=len)[:6]
