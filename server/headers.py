"""A request's header block, parsed without the email package.

gevent's WSGI handler reads headers with `http.client.parse_headers`, which runs
the email package's feed parser: about 0.15 ms a request, an eighth of a whole
action flat out. The server has already read the block within its byte and line
limits (server.http), so a plain split is enough. The object offers what the
handler and the server read of it: `get`, `get_all`, `getheader`, `typeheader`,
`headers` (the raw lines), `status`, `del` and `in`.
"""
from __future__ import annotations


class HeaderError(ValueError):
    """A header block that is not HTTP: a line without a colon, or a space before it."""


class RequestHeaders:
    __slots__ = ("_fields", "status")

    def __init__(self, block: bytes) -> None:
        self.status = ""
        fields: list[list[str]] = []
        for raw in block.decode("latin-1").split("\n"):
            line = raw[:-1] if raw.endswith("\r") else raw
            if not line:
                continue
            if line[0] in " \t":                      # obsolete line folding
                if not fields:
                    raise HeaderError("the headers begin with a continuation line")
                fields[-1][1] += " " + line.strip()
                continue
            name, colon, value = line.partition(":")
            if not colon or not name or name != name.strip():
                raise HeaderError(f"not a header line: {line[:40]!r}")
            fields.append([name, value.strip()])
        self._fields = fields

    def get(self, name: str, default=None):
        wanted = name.lower()
        for key, value in self._fields:
            if key.lower() == wanted:
                return value
        return default

    getheader = get

    def get_all(self, name: str, default=None):
        wanted = name.lower()
        found = [value for key, value in self._fields if key.lower() == wanted]
        return found or default

    def __contains__(self, name: str) -> bool:
        return self.get(name) is not None

    def __delitem__(self, name: str) -> None:
        wanted = name.lower()
        self._fields = [f for f in self._fields if f[0].lower() != wanted]

    def items(self):
        return [(key, value) for key, value in self._fields]

    @property
    def typeheader(self):
        return self.get("content-type")

    @property
    def headers(self):
        """The lines as gevent's handler turns them into the WSGI environ."""
        for key, value in self._fields:
            yield f"{key}: {value}\r\n"
