"""The on-screen pinyin keyboard: letters, a row of Hanzi candidates, delete.

Used where text cannot be avoided (a search, a name, an address). Letters typed
show above the keys; touching a candidate puts its Hanzi into the text and clears
the letters. `on_change(text, letters)` is called after every key. Candidates come
from `core.pinyin_input` (the hall's vocabulary, then GB 2312 characters).
"""
from __future__ import annotations

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout

from core.pinyin_input import Candidates
from kiosk.widgets import GREY, INK, BigButton, Style, Text

ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


class PinyinKeyboard(BoxLayout):
    def __init__(self, style: Style, candidates: Candidates, on_change, text: str = "",
                 tr=lambda s, **k: s, show_text: bool = True) -> None:
        super().__init__(orientation="vertical", spacing=style.mm(2), size_hint_y=None)
        self.style, self.candidates, self.on_change, self.tr = style, candidates, on_change, tr
        self.text, self.letters = text, ""
        self.shown = Text("", style, role="title", color=INK)
        self.shown.is_typed_text = True
        if show_text:
            self.add_widget(self.shown)
        self.candidate_row = GridLayout(cols=6, spacing=style.mm(1.5), size_hint_y=None,
                                        height=style.key_size)
        self.add_widget(self.candidate_row)
        key = style.key_size
        for row in ROWS:
            line = BoxLayout(size_hint_y=None, height=key, spacing=style.mm(1.5))
            for letter in row:
                line.add_widget(BigButton(letter, style, role="title", height=key,
                                          size_hint_y=1,
                                          on_press=lambda c=letter: self.type(c)))
            self.add_widget(line)
        last = BoxLayout(size_hint_y=None, height=key, spacing=style.mm(1.5))
        last.add_widget(BigButton(tr("Delete"), style, color=GREY, size_hint_y=1,
                                  on_press=self.delete))
        last.add_widget(BigButton(tr("Clear"), style, color=GREY, size_hint_y=1,
                                  on_press=self.clear))
        self.add_widget(last)
        self.bind(minimum_height=self.setter("height"))
        self._show()

    def type(self, letter: str) -> None:
        self.letters += letter
        self._changed()

    def delete(self) -> None:
        if self.letters:
            self.letters = self.letters[:-1]
        else:
            self.text = self.text[:-1]
        self._changed()

    def clear(self) -> None:
        self.text, self.letters = "", ""
        self._changed()

    def pick(self, hanzi: str) -> None:
        self.text += hanzi
        self.letters = ""
        self._changed()

    def _changed(self) -> None:
        self._show()
        self.on_change(self.text, self.letters)

    def _show(self) -> None:
        self.shown.text = (self.text + self.letters) or self.tr("(type pinyin letters)")
        self.candidate_row.clear_widgets()
        for word in self.candidates.for_letters(self.letters, limit=6):
            self.candidate_row.add_widget(BigButton(
                word, self.style, role="body" if len(word) > 2 else "title",
                height=self.style.key_size, color=(0.55, 0.30, 0.05, 1),
                on_press=lambda w=word: self.pick(w)))
