"""The request header block as the gevent server parses it (server.headers)."""
from __future__ import annotations

import pytest

from server.headers import HeaderError, RequestHeaders


def test_fields_are_found_whatever_their_case():
    headers = RequestHeaders(b"Host: 127.0.0.1\r\nContent-Type: application/json\r\n"
                             b"content-length: 12\r\nX-Many: 1\r\nx-many: 2\r\n\r\n")
    assert headers.get("CONTENT-LENGTH") == "12" == headers.getheader("Content-Length")
    assert headers.typeheader == "application/json"
    assert headers.get_all("X-Many") == ["1", "2"]
    assert headers.get("Missing") is None and headers.get_all("Missing") is None
    assert "host" in headers and "Cookie" not in headers
    assert list(headers.headers) == ["Host: 127.0.0.1\r\n",
                                     "Content-Type: application/json\r\n",
                                     "content-length: 12\r\n", "X-Many: 1\r\n", "x-many: 2\r\n"]


def test_values_are_trimmed_and_folded_lines_joined():
    headers = RequestHeaders(b"Accept:   text/html  \nX-Long: one\r\n  two\r\n\r\n")
    assert headers.get("accept") == "text/html"
    assert headers.get("x-long") == "one two"


def test_a_field_can_be_deleted():
    headers = RequestHeaders(b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n")
    del headers["content-length"]
    assert headers.get("Content-Length") is None
    assert headers.items() == [("Transfer-Encoding", "chunked")]


@pytest.mark.parametrize("block", [b"no colon here\r\n\r\n", b"Bad : name\r\n\r\n",
                                   b": no name\r\n\r\n", b" folded first\r\n\r\n"])
def test_a_block_that_is_not_http_is_refused(block):
    with pytest.raises(HeaderError):
        RequestHeaders(block)


def test_latin_1_bytes_pass_through():
    headers = RequestHeaders("X-Name: caf\u00e9\r\n\r\n".encode("latin-1"))
    assert headers.get("x-name") == "caf\u00e9"
