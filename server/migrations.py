"""The hall database's schema, one migration after another (never edited once shipped).

`server.storage.Store` runs the ones a database has not had yet, in order, each in
its own transaction, and records how far it got (PRAGMA user_version).
"""
from __future__ import annotations

import sqlite_utils

MIGRATIONS = []


def migration(fn):
    MIGRATIONS.append(fn)
    return fn


@migration
def create_tables(db: sqlite_utils.Database) -> None:
    db["events"].create({"id": int, "at": str, "service_day": str, "type": str, "data": str},
                        pk="id")
    db["events"].create_index(["service_day"])
    db["tickets"].create({
        "id": str, "service_day": str, "number": str, "subject": str, "is_theme": int,
        "category": str, "pool": str, "priority": str, "origin": str, "state": str,
        "window": int, "clerk": str, "pinned_window": int, "recalls": int, "issued_at": str,
        "queue_since": str, "last_called_at": str, "called_at": str, "started_at": str,
        "finished_at": str, "wait_seconds": float, "service_seconds": float,
        "phone_token": str, "id_card_hash": str, "appointment_slot": str,
        "case_number": str, "history": str}, pk="id")
    db["tickets"].create_index(["phone_token"], unique=True)
    db["tickets"].create_index(["service_day", "state"])
    db["windows"].create({
        "number": int, "service_day": str, "pool": str, "status": str, "pause_reason": str,
        "clerk": str, "current": str, "parked": str, "served_today": int}, pk="number")
    db["cases"].create({
        "number": str, "ticket_id": str, "subject": str, "window": int, "clerk": str,
        "status": str, "opened_at": str, "due_date": str, "missing_materials": str,
        "supply_by": str, "approved_at": str, "picked_up_at": str}, pk="number")
    db["cases"].create_index(["status"])
    db["meta"].create({"key": str, "value": str}, pk="key")
    db["ratings"].create({"id": int, "ticket_id": str, "window": int, "clerk": str,
                          "level": int, "reason": str, "at": str}, pk="id")


@migration
def move_the_id_card_key_out(db: sqlite_utils.Database) -> None:
    """The ID-card HMAC key no longer lives in the database (it sits in a key file
    outside the backups); digests made with the old key are erased with it."""
    db.execute("DELETE FROM meta WHERE key = 'secret'")
    db.execute("UPDATE tickets SET id_card_hash = '' WHERE id_card_hash != ''")


@migration
def remember_idempotent_answers(db: sqlite_utils.Database) -> None:
    """The first answer to each Idempotency-Key, kept a day, so a retried POST is
    answered again instead of being carried out twice."""
    db["answers"].create({"principal": str, "key": str, "request": str, "status": int,
                          "body": str, "service_day": str}, pk=("principal", "key"))


@migration
def help_requests_self_service_and_device_health(db: sqlite_utils.Database) -> None:
    """呼叫帮办 requests, what a self-service case keeps of its form (ID numbers only
    masked and as a keyed digest), and each device's last reported health."""
    db["help_requests"].create({
        "id": str, "service_day": str, "place": str, "reason": str, "note": str,
        "state": str, "raised_by": str, "raised_at": str, "taken_by": str, "taken_at": str,
        "done_at": str}, pk="id")
    db["help_requests"].create_index(["service_day"])
    db["self_service"].create({
        "case_number": str, "form": str, "kiosk": str, "submitted_at": str, "fields": str,
        "id_card_hash": str, "id_card_read": int}, pk="case_number")
    db["devices"].create({
        "device": str, "state": str, "code": str, "detail": str, "since": str,
        "last_report": str, "reported_by": str}, pk="device")


@migration
def bookings(db: sqlite_utils.Database) -> None:
    """预约: bookings live across days (today's and later ones are loaded); the ID card
    only as a keyed digest, blanked once the booking's day has passed."""
    db["bookings"].create({
        "code": str, "subject": str, "day": str, "start": str, "end": str, "state": str,
        "id_card_hash": str, "created_at": str, "ticket": str}, pk="code")
    db["bookings"].create_index(["day"])


@migration
def masked_holder_names(db: sqlite_utils.Database) -> None:
    """A ticket taken with a read ID card may keep its holder's name, masked (张*三),
    for the hall's board; never the full name."""
    db["tickets"].add_column("holder_name", str, not_null_default="")


@migration
def case_page_tokens(db: sqlite_utils.Database) -> None:
    """A case's unguessable token opens the citizen's case page (/c/<token>)."""
    db["cases"].add_column("token", str, not_null_default="")
    db["cases"].create_index(["token"])


@migration
def people_and_sessions(db: sqlite_utils.Database) -> None:
    """People (an argon2 hash, never the password) and their sessions (a SHA-256 of each
    random token): outside the hall's day state and event log (server/sessions.py)."""
    db["people"].create({
        "user_name": str, "display_name": str, "role": str, "department": str,
        "password_hash": str, "active": int, "created_at": str, "changed_at": str,
        "failures": int, "last_failure": str, "locked_until": str}, pk="user_name",
        not_null={"user_name", "role", "password_hash", "active"})
    db["sessions"].create({"token_hash": str, "user_name": str, "created_at": str,
                           "expires_at": str, "last_seen": str}, pk="token_hash",
                          foreign_keys=[("user_name", "people", "user_name")])
    db["sessions"].create_index(["user_name"])


@migration
def case_parts_and_history(db: sqlite_utils.Database) -> None:
    """并联审批: a case's parts (one per matter, each with its department and status) and
    its back-office history, as JSON; 补正 stops the promised-date clock (since when, and
    the working days it added)."""
    db["cases"].add_column("parts", str, not_null_default="[]")
    db["cases"].add_column("history", str, not_null_default="[]")
    db["cases"].add_column("clock_stopped_at", str, not_null_default="")
    db["cases"].add_column("days_in_correction", int, not_null_default=0)


@migration
def estimates_at_issue(db: sqlite_utils.Database) -> None:
    """What a ticket was told at issue (its estimated wait and the people ahead): the hall
    calibrates its estimates' 80% range from these against the actual waits."""
    db["tickets"].add_column("eta_minutes", float)
    db["tickets"].add_column("eta_people_ahead", int)


@migration
def windows_helping_and_advice(db: sqlite_utils.Database) -> None:
    """协同: the pools a window helps for now (JSON: pool -> until, seconds after midnight,
    or null); and the pool advisor's advice of each day with what became of it."""
    db["windows"].add_column("helping", str, not_null_default="{}")
    db["advice"].create({
        "id": str, "service_day": str, "kind": str, "window": int, "state": str,
        "advice": str, "issued_at": str, "decided_by": str, "decided_at": str}, pk="id")
    db["advice"].create_index(["service_day"])


@migration
def when_a_window_paused(db: sqlite_utils.Database) -> None:
    """When a paused window paused (seconds after midnight), so that the forecast expects
    it back after the pause's usual length across a restart."""
    db["windows"].add_column("paused_at", float)


@migration
def whether_a_window_took_its_lunch(db: sqlite_utils.Database) -> None:
    """Whether a window paused for lunch today (then no other break is expected of it),
    kept across a restart."""
    db["windows"].add_column("lunch_taken", int, not_null_default=0)


@migration
def when_a_window_began_to_wait_for_a_citizen(db: sqlite_utils.Database) -> None:
    """待叫: since when a window's clerk waits for the next citizen (they pressed "call
    next" and nobody waited), kept across a restart."""
    db["windows"].add_column("ready_since", float)
