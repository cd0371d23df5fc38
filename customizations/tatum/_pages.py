"""Pages of a list operation: `Page`, and walking them by offset, sync and async.

A page is full when it holds `page_size` items; the walk stops after the first page that is not (when the
customers fill the last page exactly, that is an empty page: it is yielded too, so the last page seen always
says `has_next_page() is False`). It holds one page in memory at a time (and a hash of each page seen), and
refuses an answer that repeats an earlier page: a server ignoring `offset`, or cycling through pages, would
otherwise make the walk endless.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

from ._response import ApiResponse

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: its `items`, the `offset` it starts at, and the `page_size` asked for."""

    items: list[T]
    offset: int
    page_size: int

    @property
    def next_offset(self) -> int:
        """Where the next page starts: pass it as `start_offset` to resume after this page."""
        return self.offset + len(self.items)

    def has_next_page(self) -> bool:
        """Whether there may be more: this page is full."""
        return len(self.items) >= self.page_size


class _Seen:
    """The pages seen so far, as the hash of their items' keys: a page seen before means the server is not
    paging (it ignores `offset`, or cycles), and the walk would not end."""

    def __init__(self) -> None:
        self._pages: set[int] = set()

    def check(
        self, raw: ApiResponse[list[T]], offset: int, items: list[T], key: Callable[[T], Hashable]
    ) -> None:
        if not items:
            return
        page = hash(tuple(key(item) for item in items))
        if page in self._pages:
            raise raw.unexpected(
                f"the page at offset {offset} repeats an earlier page (does the server ignore `offset`?)"
            )
        self._pages.add(page)


def _page(
    raw: ApiResponse[list[T]], offset: int, page_size: int, key: Callable[[T], Hashable], seen: _Seen
) -> Page[T]:
    items = raw.parse()
    seen.check(raw, offset, items, key)
    return Page(items, offset, page_size)


def pages(
    fetch: Callable[[int], ApiResponse[list[T]]],
    page_size: int,
    start_offset: int,
    key: Callable[[T], Hashable],
) -> Iterator[Page[T]]:
    """Every page from `start_offset`, each fetched (`fetch(offset)`) as the previous one is consumed."""
    offset, seen = start_offset, _Seen()
    while True:
        page = _page(fetch(offset), offset, page_size, key, seen)
        yield page
        more, offset = page.has_next_page(), page.next_offset
        del page  # let the page go before the next one is fetched
        if not more:
            return


async def apages(
    fetch: Callable[[int], Awaitable[ApiResponse[list[T]]]],
    page_size: int,
    start_offset: int,
    key: Callable[[T], Hashable],
) -> AsyncIterator[Page[T]]:
    """Every page from `start_offset` (async)."""
    offset, seen = start_offset, _Seen()
    while True:
        page = _page(await fetch(offset), offset, page_size, key, seen)
        yield page
        more, offset = page.has_next_page(), page.next_offset
        del page
        if not more:
            return


def items(pages: Iterator[Page[T]]) -> Iterator[T]:
    """The items of each page in turn, one page in memory at a time."""
    for page in pages:
        yield from page.items
        del page


async def aitems(pages: AsyncIterator[Page[T]]) -> AsyncIterator[T]:
    """The items of each page in turn (async), one page in memory at a time."""
    async for page in pages:
        for item in page.items:
            yield item
        del page
