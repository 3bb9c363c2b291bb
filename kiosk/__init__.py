"""The touch kiosk (Kivy): taking a number, 一次性告知, appointments, ID cards, case
queries, pickup, floor helpers and self-service forms (docs/kiosk.md).

A thin shell: decisions that need no screen live in `core.kiosk_flow` and
`core.search`; it talks to the server only through `server.client`, to devices only
through `hardware`.
"""
