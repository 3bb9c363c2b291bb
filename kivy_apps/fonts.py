"""The CJK font as Kivy's default, so no label ever draws tofu boxes."""
from __future__ import annotations

from pathlib import Path

CJK_FONTS = ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",   # Debian fonts-wqy-microhei
             "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
             "C:/Windows/Fonts/msyh.ttc")


def register_cjk_font() -> str:
    """Make the first CJK font found Kivy's default ("Roboto") and "CJK"; its path.
    RuntimeError when there is none (install fonts-wqy-microhei)."""
    from kivy.core.text import LabelBase
    for candidate in CJK_FONTS:
        if Path(candidate).exists():
            LabelBase.register(name="Roboto", fn_regular=candidate, fn_bold=candidate)
            LabelBase.register(name="CJK", fn_regular=candidate, fn_bold=candidate)
            return candidate
    raise RuntimeError("no CJK font found: install fonts-wqy-microhei")
