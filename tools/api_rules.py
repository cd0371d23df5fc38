"""What `make api-diff` counts as breaking: every rule, and the record of one change.

A change is **breaking** when code that worked with the SDK before it may fail after it, and **compatible**
otherwise. The SDK's users send requests and read responses, so the two sides move the other way round: a
request that accepts more is compatible and one that accepts less breaks callers; a response that may carry
more (a longer string, a new code, null) breaks readers and one that carries less does not.
"Narrowed" and "widened" cover types (integer -> number widens), lengths, ranges, enum codes and
nullability; a value added, removed, made required or optional has rules of its own.

| rule | class | why |
| --- | --- | --- |
| `operation-added` | compatible | A new SDK method; nothing that worked changes. |
| `operation-removed` | breaking | The SDK method is gone: code calling it fails. |
| `route-changed` | compatible | The SDK method keeps its name and arguments; only the HTTP method or path it sends changes. |
| `credits-raised` | breaking | Each call costs more: a caller with a `credit_budget` may now be refused (`CreditBudgetExceededError`) where the call used to fit. |
| `credits-lowered` | compatible | Each call costs less; every budget that fitted still fits. |
| `success-status-changed` | breaking | What the method returns changes (a model, or None for a 204). |
| `response-body-changed` | breaking | The method returns another type. |
| `request-body-added-required` | breaking | Callers must now pass a body. |
| `request-body-added-optional` | compatible | A new optional argument; calls without it work as before. |
| `request-body-removed` | breaking | Callers that pass a body now fail. |
| `request-body-changed` | breaking | The body is another model: the argument's type changes. |
| `request-body-now-required` | breaking | Calls without a body, which worked, now fail. |
| `request-body-now-optional` | compatible | Calls may leave the body out; calls that pass one work as before. |
| `error-status-added` | compatible | Another documented failure: the SDK raises it as the `ApiError` subclass named, so handlers of `ApiError` or `TatumError` catch it. |
| `error-status-removed` | compatible | A documented failure is no longer expected; code handling it stays valid. |
| `error-code-added` | compatible | Another documented failure: the SDK raises it as the `ApiError` subclass named, so handlers of `ApiError` or `TatumError` catch it. |
| `error-code-removed` | compatible | A documented failure is no longer expected; code handling it stays valid. |
| `error-class-changed` | breaking | The SDK raises another exception for that code (its kind in `x-tatum-error-kinds` changed): handlers of the old class no longer catch it. |
| `error-class-narrowed` | compatible | The SDK raises a subclass of the exception it raised before: handlers of the old class still catch it. |
| `already-in-state-added` | compatible | A retried state change answered with that code (after an attempt whose outcome is unknown) now returns normally: the earlier attempt reached the goal. |
| `already-in-state-removed` | breaking | A retried state change answered with the old code now raises `CustomerStateError` where it returned normally. |
| `already-in-state-changed` | breaking | A retried state change answered with the old code now raises `CustomerStateError` where it returned normally. |
| `operation-other-changed` | compatible | This tool has no rule for that field of the operation (it is not part of the wire contract): review it by hand, and add a rule. |
| `request-added-optional` | compatible | A new optional argument or field; calls without it work as before. |
| `request-added-required` | breaking | Callers must now pass it: calls without it are refused before sending. |
| `request-removed` | breaking | Callers that pass it now fail: the argument or field is gone. |
| `request-now-required` | breaking | Calls without it, which worked, are now refused before sending. |
| `request-now-optional` | compatible | Calls may leave it out; calls that pass it work as before. |
| `request-narrowed` | breaking | A value that was accepted (a length, a number, an enum code, null) may now be refused before sending. |
| `request-widened` | compatible | Every value accepted before is still accepted. |
| `parameter-moved` | compatible | The SDK method keeps the argument; only where the request carries it (path, query, header) changes. |
| `request-retyped` | breaking | Its type, format or schema changes: values of the old type are refused, and the Python type changes. |
| `response-added` | compatible | The model gains an attribute; nothing that worked changes. |
| `response-removed` | breaking | The attribute is gone: code reading it fails. |
| `response-now-optional` | breaking | It may now be missing (`UNSET`): code that reads it unguarded may fail. |
| `response-now-required` | compatible | It is now always present. |
| `response-widened` | breaking | Readers may now get values they were promised they would not (a longer string, a larger number, a new enum code, null). |
| `response-narrowed` | compatible | Every value the API may now send was possible before. |
| `response-retyped` | breaking | The attribute's type, format or schema changes: code using the old type may fail. |
| `value-other-changed` | compatible | This tool has no rule for that constraint: review it by hand, and add a rule. |
| `python-added` | compatible | A new public name; nothing that worked changes. |
| `python-removed` | breaking | A public name is gone: code importing or using it fails. |
| `python-incompatible` | breaking | griffe finds it incompatible, for the reason given: code using it as before may fail. |
| `python-signature-compatible` | compatible | The signature changed and griffe finds nothing incompatible (such as a new optional parameter). |
| `python-type-changed` | breaking | An attribute's annotation, or whether it has a default, changed; griffe does not judge annotations, so it counts as breaking (type-checked code may fail); the Contract section says which way the spec moved. |

A value used by both requests and responses gets both verdicts, and is breaking if either is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Rule:
    """How one kind of change is classed, and why."""

    breaking: bool
    why: str


def _rules_from_table(doc: str) -> dict[str, Rule]:
    rows = re.findall(r"^\| `([a-z-]+)` \| (breaking|compatible) \| (.+) \|$", doc, flags=re.M)
    return {name: Rule(verdict == "breaking", why) for name, verdict, why in rows}


RULES: dict[str, Rule] = _rules_from_table(__doc__ or "")
"""Every rule, by name: read from the table above, which is the one place the rules are written."""

Section = Literal["Contract", "Python API"]
SECTIONS: tuple[Section, ...] = ("Contract", "Python API")


@dataclass(frozen=True)
class Change:
    """One change between two versions of the SDK, classed by one of RULES."""

    section: Section
    subject: str
    """What changed, as a reader finds it: `activate_customer`, `Customer.loyaltyTier` (response field)."""
    detail: str
    """How it changed: `2 -> 3 credits`, `added (string, optional)`."""
    rule: str

    def __post_init__(self) -> None:
        if self.rule not in RULES:
            raise ValueError(f"no such rule: {self.rule!r}")

    @property
    def breaking(self) -> bool:
        return RULES[self.rule].breaking

    def bullet(self) -> str:
        """The change as one Markdown list item: class, subject, detail, and the reason for the class."""
        verdict = "breaking" if self.breaking else "compatible"
        return f"- **{verdict}** {self.subject}: {self.detail}. {RULES[self.rule].why}"
