"""Pages a citizen opens in their own browser (no token): the booking page `/book`.

Their words come from the `web` message catalogue
(core/messages/zh/LC_MESSAGES/web.po); Chinese by default, `?lang=en` for English.
"""
