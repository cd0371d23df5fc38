"""Reading a response body up to a cap, with memory bounded, and never past the call's deadline.

httpx would read a whole body, and inflate a whole gzip member per network read (a 1 MB bomb: 1 GB). Here the
raw stream is read chunk by chunk and gzip or deflate is inflated with a bound on its output, so no more than
`cap` bytes (plus one network read) are ever held. The SDK asks for gzip or deflate only (`Accept-Encoding`);
a body in any other coding, or in layers of them, is refused (httpx.DecodingError) rather than inflated blind.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable

import httpx

from ._headers import header

Clock = Callable[[], float]


class Body:
    """A body read so far: its bytes, and whether it was cut at `cap` bytes after decoding. Reading stops at
    `deadline_at` on `clock` (None: no deadline)."""

    def __init__(self, response: httpx.Response, cap: int, deadline_at: float | None, clock: Clock) -> None:
        self._response = response
        self._cap = cap
        self._deadline_at = deadline_at
        self._clock = clock
        self._chunks: list[bytes] = []
        self._size = 0
        self.truncated = False
        self.read_already = response.is_stream_consumed
        """Read (and decoded) by httpx already, before the SDK saw it: an event hook of a given client."""
        self._inflate: zlib._Decompress | None = None
        encoding = None if self.read_already else header(response.headers, "content-encoding")
        if encoding:
            codings = [part.strip() for part in encoding.lower().split(",")]
            codings = [coding for coding in codings if coding not in ("", "identity")]
            if codings in (["gzip"], ["x-gzip"]):
                self._inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
            elif codings == ["deflate"]:
                self._inflate = zlib.decompressobj()
            elif codings:  # layered, or one httpx would inflate without a bound (br, zstd)
                raise httpx.DecodingError(
                    f"the body's Content-Encoding {', '.join(codings)} is not one the SDK reads with a bound "
                    "(it asks for gzip or deflate)",
                    request=response.request,
                )

    def feed(self, chunk: bytes) -> bool:
        """Take one chunk off the wire; False once the body is complete, cut at the cap, or past the deadline."""
        if self._deadline_at is not None and self._clock() >= self._deadline_at:
            raise httpx.ReadTimeout(
                "the call's deadline passed while reading the body", request=self._request()
            )
        if self._inflate is not None:
            try:
                chunk = self._inflate.decompress(chunk, self._cap + 1 - self._size)
            except zlib.error as error:
                raise httpx.DecodingError(
                    f"cannot inflate the body: {error}", request=self._request()
                ) from None
            if self._inflate.unconsumed_tail:
                chunk += b"\0"  # more output than the cap allows: enough to mark the body as cut
        self._size += len(chunk)
        if self._size > self._cap:
            self._chunks.append(chunk[: len(chunk) - (self._size - self._cap)])
            self.truncated = True
            return False
        self._chunks.append(chunk)
        return True

    def content(self) -> bytes:
        """The body read (cut at the cap), also stored as the response's content for `.json()` and `.text`."""
        content = b"".join(self._chunks)
        self._response._content = content  # what httpx's own read() stores: the body, decoded
        return content

    def _request(self) -> httpx.Request:
        return self._response.request


def read(response: httpx.Response, cap: int, deadline_at: float | None, clock: Clock) -> bool:
    """Read a streamed response's body, at most `cap` bytes after decoding and until `deadline_at` on
    `clock`, then close it; the body is the response's `content`. True if it was cut at the cap."""
    try:
        body = Body(response, cap, deadline_at, clock)
        if body.read_already:
            body.feed(response.content)
        else:
            for chunk in response.iter_raw():
                if not body.feed(chunk):
                    break
    finally:
        response.close()
    body.content()
    return body.truncated


async def aread(response: httpx.Response, cap: int, deadline_at: float | None, clock: Clock) -> bool:
    """`read`, async."""
    try:
        body = Body(response, cap, deadline_at, clock)
        if body.read_already:
            body.feed(response.content)
        else:
            async for chunk in response.aiter_raw():
                if not body.feed(chunk):
                    break
    finally:
        await response.aclose()
    body.content()
    return body.truncated
