"""The rate limiter's decisions, on a fake clock (no wall-clock sleeps), and what a call does with them."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import deque
from typing import Any

import httpx
import pytest
import tatum
from support.scripted import CUSTOMER, INTERNAL_ID, Script, error_body, reply
from tatum import _ratelimit
from tatum._ratelimit import MemoryWindow, RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


MARGIN = tatum._constants.RATE_LIMIT_MARGIN


def reserved_slots(sdk: tatum.Sdk | tatum.AsyncSdk) -> deque[float]:
    """The slots reserved in the window of an Sdk's mainnet key (this process's window)."""
    window = sdk.mainnet()._pipeline.limiter.window
    assert isinstance(window, MemoryWindow)
    return window._times


def go_times(window: MemoryWindow, clock: Clock, burst: int, period: float, calls: int) -> list[float]:
    """When each of `calls` calls, arriving at once, may go."""
    return [round(clock.now + window.reserve(burst, period).wait, 6) for _ in range(calls)]


def test_the_window_allows_the_burst_then_one_call_per_slot_in_arrival_order() -> None:
    clock = Clock()
    window = MemoryWindow(clock)

    times = go_times(window, clock, burst=3, period=1.0, calls=8)

    assert times == [100, 100, 100, 101, 101, 101, 102, 102]


def test_no_window_of_one_period_ever_holds_more_than_the_burst() -> None:
    clock = Clock()
    window = MemoryWindow(clock)
    times: list[float] = []
    for step in range(200):  # arrivals spread irregularly, some at once
        clock.now = 100 + step * 0.037 * (step % 3)
        times.append(clock.now + window.reserve(5, 1.0).wait)

    times.sort()
    assert all(sum(1 for t in times if start <= t < start + 1.0) <= 5 for start in times)


def test_a_released_slot_is_given_to_the_next_caller() -> None:
    clock = Clock()
    window = MemoryWindow(clock)
    slots = [window.reserve(1, 1.0) for _ in range(3)]  # go at 100, 101, 102
    window.release(slots[2])

    assert window.reserve(1, 1.0).wait == 2.0  # the released slot at 102, not 103


def test_a_block_delays_every_caller() -> None:
    clock = Clock()
    window = MemoryWindow(clock)
    window.block(2.5)

    assert window.blocked_for() == 2.5
    assert go_times(window, clock, burst=10, period=1.0, calls=2) == [102.5, 102.5]
    clock.now = 103
    assert window.blocked_for() == 0.0


def limiter(clock: Clock) -> RateLimiter:
    return RateLimiter(MemoryWindow(clock), "mainnet", clock)


def test_auto_learns_the_rate_from_the_header_and_a_fixed_rate_ignores_it() -> None:
    clock = Clock()
    rates = limiter(clock)

    assert rates.rate("auto") is None and rates.reserve("auto").wait == 0  # nothing known: go at once
    rates.observe({"x-ratelimit-persec": "5"})

    assert (rates.rate("auto"), rates.rate(20.0), rates.rate(None)) == (5.0, 20.0, None)
    waits = [rates.reserve("auto").wait for _ in range(5)]  # with the first call, five in this second
    assert [round(w, 3) for w in waits] == [0, 0, 0, 0, round(1 + MARGIN, 3)]


@pytest.mark.parametrize("value", ["0", "-5", "nan", "inf", "-inf", "five", ""])
def test_an_unreadable_rate_header_teaches_nothing(value: str) -> None:
    rates = limiter(Clock())
    rates.observe({"x-ratelimit-persec": value})

    assert rates.rate("auto") is None


@pytest.mark.parametrize(("value", "rate"), [("1e-9", 0.1), ("1e12", 1e6), ("5", 5.0)])
def test_a_rate_header_is_taken_within_bounds(value: str, rate: float) -> None:
    """A hostile header can neither stall the key for years nor lift the limit for good."""
    rates = limiter(Clock())
    rates.observe({"x-ratelimit-persec": value})

    assert rates.rate("auto") == rate


def test_with_no_rate_known_the_first_call_goes_alone_and_the_others_wait_for_its_answer() -> None:
    clock = Clock()
    rates = limiter(clock)
    first = rates.reserve("auto")
    held = [rates.reserve("auto") for _ in range(3)]

    assert first.wait == 0 and first.token is not None
    assert all(slot.wait > 0 and slot.token is None for slot in held)  # nothing reserved for them yet
    rates.went(first)
    rates.observe({"x-ratelimit-persec": "2"})  # its answer states the rate
    clock.now += held[0].wait
    confirmed = [round(rates.confirm(slot, "auto").wait, 3) for slot in held]
    # two per window of 1 + MARGIN seconds, counting the first call
    assert confirmed == [0, round(1 + MARGIN - held[0].wait, 3), round(1 + MARGIN, 3)]


def test_an_answer_without_the_header_stops_holding_calls() -> None:
    clock = Clock()
    rates = limiter(clock)
    first = rates.reserve("auto")
    assert rates.reserve("auto").token is None

    rates.went(first)
    rates.observe({})

    assert all(rates.reserve("auto").wait == 0 for _ in range(5))


def test_calls_held_for_a_slow_first_answer_go_after_a_while() -> None:
    clock = Clock()
    rates = limiter(clock)
    rates.reserve("auto")
    clock.now += 2.5  # the first call's answer is still not back

    assert rates.reserve("auto").wait == 0


def test_a_429_halves_the_auto_rate_which_then_comes_back_up() -> None:
    clock = Clock()
    rates = limiter(clock)
    rates.observe({"x-ratelimit-persec": "10"})

    rates.rate_limited("auto", 1.0, rates.reserve("auto"))
    assert rates.rate("auto") == 5.0
    assert rates.window.blocked_for() == 1.0
    clock.now += 2  # two seconds without a 429: +10% of the API's rate each second
    assert rates.rate("auto") == pytest.approx(7.0)
    clock.now += 60
    assert rates.rate("auto") == 10.0  # never past what the API stated


def test_a_429_before_any_rate_is_known_starts_from_what_was_sent() -> None:
    clock = Clock()
    rates = limiter(clock)
    rates.observe({})  # an answer without the header: the API does not state rates, so nothing is held
    slots = [rates.reserve("auto") for _ in range(8)]

    rates.rate_limited("auto", None, slots[-1])

    assert rates.rate("auto") == 4.0  # half the 8 calls sent in the last second
    assert rates.window.blocked_for() == 1.0


def test_a_call_that_waits_out_a_block_is_counted_once() -> None:
    clock = Clock()
    rates = limiter(clock)
    rates.observe({})  # the API states no rate: calls are only counted per second
    rates.window.block(0.3)  # a Retry-After in force (from a 429 of a call sent before the last change)
    clock.now += 0.1
    slot = rates.reserve("auto")
    assert slot.wait == pytest.approx(0.2)
    clock.now += slot.wait
    slot = rates.confirm(slot, "auto")  # its turn, in the same second
    assert slot.wait == 0

    rates.rate_limited("auto", None, slot)

    assert rates.rate("auto") == 0.5  # half of the one call sent in the last second, not of two


def test_with_no_header_ever_the_auto_rate_comes_back_up_after_a_429() -> None:
    clock = Clock()
    rates = limiter(clock)
    rates.observe({})
    slots = [rates.reserve("auto") for _ in range(6)]
    rates.rate_limited("auto", 1.0, slots[-1])

    assert rates.rate("auto") == 3.0
    clock.now += 3600
    assert rates.rate("auto") == 6.0  # back where it was, not stuck at the slowdown


def test_a_fixed_rate_is_not_slowed_by_a_429_but_honours_its_retry_after() -> None:
    clock = Clock()
    rates = limiter(clock)
    rates.rate_limited(3.0, 4.0, None)

    assert rates.rate(3.0) == 3.0
    assert rates.reserve(3.0).wait == 4.0


def test_fractional_rates_space_single_calls() -> None:
    clock = Clock()
    rates = limiter(clock)

    waits = [round(rates.reserve(0.5).wait, 3) for _ in range(3)]

    assert waits == [0, round(2 + MARGIN, 3), round(4 + 2 * MARGIN, 3)]


def test_429s_for_a_burst_sent_before_the_rate_was_learnt_do_not_slow_it_down() -> None:
    clock = Clock()
    rates = limiter(clock)
    burst = [rates.reserve("auto") for _ in range(200)]  # a fan-out before any answer
    rates.observe({"x-ratelimit-persec": "20"})  # the first answers teach the rate

    for slot in burst[20:]:  # the API refused the rest
        rates.rate_limited("auto", 1.0, slot)

    assert rates.rate("auto") == 20.0
    assert rates.window.blocked_for() == 1.0


def test_a_wave_of_429s_slows_down_once() -> None:
    clock = Clock()
    rates = limiter(clock)
    rates.observe({"x-ratelimit-persec": "20"})
    wave = [rates.reserve("auto") for _ in range(30)]

    for slot in wave:
        rates.rate_limited("auto", 1.0, slot)

    assert rates.rate("auto") == 10.0


def test_one_limiter_per_key_and_base_url_is_shared_by_every_sdk_and_copy() -> None:
    clock = Clock()
    a = tatum.Sdk("key-a", clock=clock)
    b = tatum.AsyncSdk("key-a", clock=clock)
    other_key = tatum.Sdk("key-b", clock=clock)
    other_url = tatum.Sdk("key-a", base_url="https://proxy.example", clock=clock)

    limiters = {id(s.mainnet()._pipeline.limiter) for s in (a, b, a.with_options(timeout=1))}
    assert len(limiters) == 1
    assert a.mainnet()._pipeline.limiter is not other_key.mainnet()._pipeline.limiter
    assert a.mainnet()._pipeline.limiter is not other_url.mainnet()._pipeline.limiter
    assert a.mainnet()._pipeline.limiter is not a.testnet()._pipeline.limiter


# What a call does with the limiter (a Script has its own clock, so its own limiter).


def test_a_call_learns_the_rate_and_later_calls_wait_their_turn() -> None:
    answer = reply(200, [CUSTOMER], headers={"x-ratelimit-persec": "2"})
    script = Script(*[answer] * 5)
    sdk = script.sdk()
    api = sdk.mainnet().api().customer()

    for _ in range(5):
        api.find_all_customers(1)

    assert sdk.mainnet().rate_limit == 2.0
    # The first call (the rate not known yet) counts too: two calls per window, then a wait.
    assert [round(s, 3) for s in script.sleeps] == [round(1 + MARGIN, 3), round(1 + MARGIN, 3)]


def test_a_429_puts_the_call_back_in_line_without_using_a_retry() -> None:
    script = Script(
        reply(429, error_body(429, "rate.limit"), headers={"Retry-After": "2"}),
        reply(429, error_body(429, "rate.limit"), headers={"Retry-After": "2"}),
        reply(200, [CUSTOMER]),
    )

    result = script.sdk(max_retries=0).mainnet().api().customer().find_all_customers(10)

    assert len(result) == 1
    assert len(script.sleeps) == 2  # the limiter's waits: at least Retry-After, for every call on the key
    assert all(wait >= 2.0 for wait in script.sleeps)


def test_too_many_429s_in_one_call_raise_rate_limit_error() -> None:
    limited = reply(429, error_body(429, "rate.limit"), headers={"Retry-After": "0.1"})
    script = Script(*[limited] * (tatum.MAX_RATE_LIMITED + 1))

    with pytest.raises(tatum.RateLimitError):
        script.sdk().mainnet().api().customer().find_all_customers(10)

    assert len(script.requests) == tatum.MAX_RATE_LIMITED + 1


def test_a_retry_after_past_the_cap_raises_at_once() -> None:
    script = Script(reply(429, error_body(429, "rate.limit"), headers={"Retry-After": "3600"}))

    with pytest.raises(tatum.RateLimitError) as caught:
        script.sdk().mainnet().api().customer().find_all_customers(10)

    assert caught.value.retry_after == 3600.0
    assert script.sleeps == []


def test_a_limiter_wait_past_the_deadline_raises_rate_limit_error_and_sends_nothing() -> None:
    script = Script(reply(200, [CUSTOMER]))
    api = script.sdk(rate_limit=1).mainnet().api().customer()
    api.find_all_customers(10)  # takes the slot of this second

    with pytest.raises(tatum.RateLimitError, match="would pass the call's deadline") as caught:
        api.find_all_customers(10, deadline=0.5)

    assert caught.value.retry_after == pytest.approx(1 + MARGIN)
    assert len(script.requests) == 1
    assert script.sleeps == []


def test_a_429_whose_retry_after_would_pass_the_deadline_raises_rate_limit_error() -> None:
    script = Script(reply(429, error_body(429, "rate.limit"), headers={"Retry-After": "5"}))

    with pytest.raises(tatum.RateLimitError):
        script.sdk().mainnet().api().customer().find_all_customers(10, deadline=2)


def test_rate_limit_none_turns_the_limiter_off() -> None:
    script = Script(*[reply(200, [CUSTOMER], headers={"x-ratelimit-persec": "1"})] * 3)
    sdk = script.sdk(rate_limit=None)

    for _ in range(3):
        sdk.mainnet().api().customer().find_all_customers(1)

    assert script.sleeps == []
    assert sdk.mainnet().rate_limit is None


@pytest.mark.parametrize("value", [0, -1, "fast", float("inf"), True])
def test_a_bad_rate_limit_is_a_validation_error(value: Any) -> None:
    with pytest.raises(tatum.ValidationError, match="rate_limit"):
        tatum.Sdk(rate_limit=value)


def test_an_interrupted_wait_gives_its_slot_back() -> None:
    script = Script(reply(200, [CUSTOMER]))
    sdk = script.sdk(rate_limit=1)
    api = sdk.mainnet().api().customer()
    api.find_all_customers(10)

    def interrupted(delay: float) -> None:
        raise KeyboardInterrupt

    sdk._sleep = interrupted
    with pytest.raises(KeyboardInterrupt):
        sdk.with_options(timeout=5).mainnet().api().customer().find_all_customers(10)

    assert len(reserved_slots(sdk)) == 1  # only the call that went


async def test_a_cancelled_task_gives_its_slot_back() -> None:
    script = Script(reply(200, [CUSTOMER]))
    release = asyncio.Event()

    async def sleep(delay: float) -> None:
        await release.wait()

    sdk = script.async_sdk(rate_limit=1, sleep=sleep)
    api = sdk.mainnet().api().customer()
    await api.find_all_customers(10)
    waiting = asyncio.create_task(api.find_all_customers(10))
    await asyncio.sleep(0)
    assert len(reserved_slots(sdk)) == 2

    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting

    assert len(reserved_slots(sdk)) == 1


def test_threads_share_one_limiter_and_never_wait_in_a_busy_loop() -> None:
    """Real threads on the real clock (a rate of 40 keeps it short): every wait is a sleep the limiter computed."""
    calls: list[float] = []
    waits: list[float] = []
    lock = threading.Lock()

    def answer(request: httpx.Request) -> httpx.Response:
        with lock:
            calls.append(time.monotonic())
        return reply(200, CUSTOMER)

    def sleep(delay: float) -> None:
        with lock:
            waits.append(delay)
        time.sleep(delay)

    client = httpx.Client(transport=httpx.MockTransport(answer))
    api = tatum.Sdk("threads-key", rate_limit=40, sleep=sleep, http_client=client).mainnet().api().customer()
    threads = [
        threading.Thread(
            target=lambda: [api.get_customer_by_external_or_internal_id("651234") for _ in range(5)]
        )
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(calls) == 20
    assert len(waits) <= 20  # at most one sleep per call: none spent polling
    assert calls[-1] - calls[0] < 1.0  # 20 calls at 40 a second: within one window, not serialised


def test_waits_are_logged_with_their_reason(caplog: pytest.LogCaptureFixture) -> None:
    script = Script(reply(200, CUSTOMER), reply(200, CUSTOMER))
    api = script.sdk(rate_limit=1).mainnet().api().customer()

    with caplog.at_level(logging.DEBUG, logger="tatum"):
        api.get_customer_by_external_or_internal_id("651234")
        api.get_customer_by_external_or_internal_id("651234")

    assert any(
        f"waits {1 + MARGIN:.3f}s for the mainnet key's rate limit (1 calls per second)" in r.getMessage()
        for r in caplog.records
    )


def test_network_rate_limit_reports_the_rate_in_force() -> None:
    assert tatum.Sdk(rate_limit=7).mainnet().rate_limit == 7.0
    assert tatum.Sdk(rate_limit=None).mainnet().rate_limit is None
    assert "rate_limit=" in repr(tatum.Sdk().mainnet())


def test_forget_drops_what_the_limiters_of_a_base_url_learnt() -> None:
    sdk = tatum.Sdk("k", base_url="https://forget.example")
    sdk.mainnet()._pipeline.limiter.observe({"x-ratelimit-persec": "3"})
    _ratelimit.forget("https://forget.example")

    assert tatum.Sdk("k", base_url="https://forget.example").mainnet().rate_limit is None


def test_a_state_change_after_a_429_and_a_timeout_still_counts_already_as_done() -> None:
    script = Script(
        reply(429, error_body(429, "rate.limit"), headers={"Retry-After": "1"}),
        httpx.ReadTimeout("slow"),
        reply(403, error_body(403, "customer.disabled")),
    )

    assert script.sdk().mainnet().api().customer().disable_customer(INTERNAL_ID) is None
