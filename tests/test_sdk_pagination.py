"""iter_customers / aiter_customers: lazy, page after page, stop at the first short page, one page held."""

from __future__ import annotations

import gc
import weakref
from typing import Any

import httpx
import tatum
from support.contract_server import ContractServer
from support.scripted import CUSTOMER, KEY_MAINNET, Script
from tatum import Customer


def customers(start: int, count: int) -> list[dict[str, Any]]:
    return [{**CUSTOMER, "id": f"{n:024x}", "externalId": f"ext-{n}"} for n in range(start, start + count)]


class Pages:
    """A server-side list of `total` customers, served by offset and page size."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        size, offset = int(request.url.params["pageSize"]), int(request.url.params.get("offset", 0))
        return httpx.Response(200, json=customers(offset, max(0, min(size, self.total - offset))))


def test_fetches_every_page_over_http_and_stops_at_the_short_one(contract_server: ContractServer) -> None:
    contract_server.reply(200, customers(0, 2))
    contract_server.reply(200, customers(2, 2))
    contract_server.reply(200, customers(4, 1))

    with tatum.Sdk(KEY_MAINNET, base_url=contract_server.url) as sdk:
        ids = [c.external_id for c in sdk.mainnet().api().customer().iter_customers(page_size=2)]
        assert sdk.mainnet().credits_used == 3

    assert ids == [f"ext-{n}" for n in range(5)]
    assert [r.query for r in contract_server.requests] == [
        [("pageSize", "2"), ("offset", "0")],
        [("pageSize", "2"), ("offset", "2")],
        [("pageSize", "2"), ("offset", "4")],
    ]


def test_an_exact_multiple_ends_with_one_empty_page() -> None:
    pages = Pages(6)
    script = Script(*(pages for _ in range(4)))

    ids = [c.id for c in script.sdk().mainnet().api().customer().iter_customers(page_size=3)]

    assert len(ids) == 6
    assert [r.url.params["offset"] for r in script.requests] == ["0", "3", "6"]


def test_pages_are_fetched_lazily() -> None:
    pages = Pages(100)
    script = Script(*(pages for _ in range(10)))

    iterator = script.sdk().mainnet().api().customer().iter_customers(page_size=10)
    assert script.requests == []
    for _ in range(10):
        next(iterator)
    assert len(script.requests) == 1
    next(iterator)
    assert len(script.requests) == 2


def test_the_previous_page_is_released_before_the_next_is_fetched() -> None:
    """While page two is being fetched, no customer of page one may still be alive."""
    refs: list[weakref.ref[Customer]] = []
    alive_during_fetch: list[int] = []
    pages = Pages(30)

    def serve(request: httpx.Request) -> httpx.Response:
        gc.collect()
        alive_during_fetch.append(sum(ref() is not None for ref in refs))
        return pages(request)

    script = Script(*(serve for _ in range(4)))
    for customer in script.sdk().mainnet().api().customer().iter_customers(page_size=10):
        refs.append(weakref.ref(customer))
        del customer  # the loop variable would otherwise keep the page's last customer alive

    assert len(refs) == 30
    assert alive_during_fetch == [0, 0, 0, 0]


async def test_aiter_customers_pages_lazily() -> None:
    pages = Pages(25)
    script = Script(*(pages for _ in range(5)))
    sdk = script.async_sdk()

    seen = [c.external_id async for c in sdk.mainnet().api().customer().aiter_customers(page_size=10)]

    assert seen == [f"ext-{n}" for n in range(25)]
    assert [r.url.params["offset"] for r in script.requests] == ["0", "10", "20"]
    assert sdk.mainnet().credits_used == 3
