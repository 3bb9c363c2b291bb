"""People for the log-in tests: added straight into the hall database, as
`yichuang user add` does."""
from __future__ import annotations

from server.passwords import hash_password
from server.sessions import add_person

PASSWORD = "correct-horse-7"
PEOPLE = (("zhang", "张三", "clerk", ""), ("li", "李四", "clerk", ""),
          ("boss", "王五", "manager", ""), ("shen", "沈六", "back_office", "business"))


def add_people(app) -> None:
    service = app.extensions["yichuang.service"]
    shared = hash_password(PASSWORD)

    def add(conn, now):
        for name, display_name, role, department in PEOPLE:
            add_person(conn, name, display_name, role, department, shared, now)
    service.with_people(add, write=True)


def log_in(client, name: str = "zhang", password: str = PASSWORD,
           address: str = "10.0.0.1"):
    return client.post("/api/login", json={"user_name": name, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}
