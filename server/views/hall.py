"""What the hall offers: matters, themes with their merged checklists, pools, windows."""
from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, g

from server.auth import public, requires
from server.payloads import accepts
from server.views.common import service, settings

blueprint = Blueprint("hall", __name__, url_prefix="/api")


@blueprint.get("/health")
@public
@accepts()
def health():
    return service().health()


@blueprint.get("/whoami")
@requires("kiosk", "clerk", "manager", "display", "helper", "back_office", "rating_pad",
          "keypad")
@accepts()
def whoami():
    principal = g.principal
    window = service().read(lambda hall, now: getattr(
        hall.window_of_clerk(principal.name), "number", None))
    return {"name": principal.name, "role": principal.role,
            "display_name": principal.display_name, "window": window}


@blueprint.get("/hall")
@requires("kiosk", "clerk", "manager", "display")
@accepts()
def describe():
    hall = settings()
    return {
        "name": hall.name, "name_en": hall.name_en, "timezone": hall.timezone,
        "language": hall.language,
        "hours": asdict(hall.hours),
        "categories": [asdict(c) for c in hall.categories],
        "matters": [asdict(m) | {"materials": list(hall.material_labels(m.code))}
                    for m in hall.matters],
        "themes": [asdict(t) | {"materials": list(hall.material_labels(t.code))}
                   for t in hall.themes],
        "pools": [asdict(p) for p in hall.pools],
        "windows": [{"number": w.number, "name": w.name, "pool": w.pool,
                     "skills": w.skills, "also_serves": list(w.also_serves)}
                    for w in hall.windows],
    }
