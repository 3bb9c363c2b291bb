"""Every command on the hall, one module per wing.

The contract, stated once: an action is a function ``f(hall, ..., now) -> list[Event]``.
It reads and changes only the `Hall` it is given, calls `hall.touch(entity)` for
every ticket, window or case it changes (the server writes exactly those in the
action's transaction; a property test reloads the hall after random action
sequences and compares), returns the events it caused in order, and raises a
`core.errors.HallError` to refuse. It does no I/O and reads no clock but `now`.
The server runs it under one lock as one transaction (`server.service.HallService.act`).

- `tickets`: issue (kiosk, appointment, pickup), cancel, start a new service day
- `serving`: what a clerk does with the citizen at a window: call, recall, start,
  finish, no-show, transfer, park, resume, call a case
- `staffing`: log in and out, open, close, pause, resume, move a window to a pool
- `cases`: 受审分离 and 容缺受理: open, supply materials, approve, pick up
- `ratings`: 好差评
"""
