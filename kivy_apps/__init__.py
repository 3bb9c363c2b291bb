"""What the hall's three Kivy apps share (the kiosk, the caller and the board): the
CJK font every label draws with, and how Kivy runs without a screen for the tests,
the screenshots and the benchmarks. Kivy only; nothing of the hall."""
