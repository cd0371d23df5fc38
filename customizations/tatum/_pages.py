"""Pages of a list operation: `Page`, and walking them by offset, sync and async.

A page is full when it holds `page_size` items; the walk stops after the first page that is not (an empty page
after a full one ends the walk without being yielded). It holds one
page in memory at a time, and refuses an answer that repeats the previous page (a server ignoring `offset`
would otherwise make it loop forever).
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


def _page(
    raw: ApiResponse[list[T]],
    offset: int,
    page_size: int,
    key: Callable[[T], Hashable],
    previous: list[Hashable] | None,
) -> tuple[Page[T], list[Hashable] | None]:
    items = raw.parse()
    keys = [key(item) for item in items]
    if items and keys == previous:
        raise raw.unexpected(
            f"the page at offset {offset} repeats the previous page (does the server ignore `offset`?)"
        )
    return Page(items, offset, page_size), keys


def pages(
    fetch: Callable[[int], ApiResponse[list[T]]],
    page_size: int,
    start_offset: int,
    key: Callable[[T], Hashable],
) -> Iterator[Page[T]]:
    """Every page from `start_offset`, each fetched (`fetch(offset)`) as the previous one is consumed."""
    offset, previous = start_offset, None
    while True:
        page, previous = _page(fetch(offset), offset, page_size, key, previous)
        if page.items or offset == start_offset:  # after a full page, the next may be empty: not worth a Page
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
    offset, previous = start_offset, None
    while True:
        page, previous = _page(await fetch(offset), offset, page_size, key, previous)
        if page.items or offset == start_offset:  # after a full page, the next may be empty: not worth a Page
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
