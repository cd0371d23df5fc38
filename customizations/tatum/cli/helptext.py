"""Help text of the commands, taken from the spec (`tatum._spec`): the same summaries, descriptions,
constraints and credit costs as the reference page (docs/CustomerApi.md), so neither can drift from the spec.
"""

from __future__ import annotations

from .._spec import CUSTOMER_UPDATE_FIELDS, OPERATIONS, Limits, Operation

STATE_CHANGES = {
    "activate": "activate_customer",
    "deactivate": "deactivate_customer",
    "enable": "enable_customer",
    "disable": "disable_customer",
}
"""The bulk commands, by command name: the SDK method each one calls."""


def credits(count: int) -> str:
    """`1 credit`, `2 credits`."""
    return f"{count} credit" if count == 1 else f"{count:,} credits"


def constraints(limits: Limits) -> str:
    """A value's constraints as the reference page words them (`10..50 characters`, `1..50`)."""
    if limits.min_length is not None or limits.max_length is not None:
        return f"{limits.min_length or 0}..{limits.max_length or ''} characters"
    if limits.minimum is not None or limits.maximum is not None:
        low = "" if limits.minimum is None else limits.minimum
        high = "" if limits.maximum is None else limits.maximum
        return f"{low}..{high}"
    if limits.enum is not None:
        return f"one of {len(limits.enum)} codes"
    return ""


def describe(operation: Operation) -> str:
    """The spec's summary and description of an operation, and its HTTP request and credit cost."""
    return (
        f"{operation.summary}.\n\n{operation.description}\n\n"
        f"{operation.method} {operation.path}: {credits(operation.credits)} per call."
    )


def short(operation: Operation, unit: str = "call") -> str:
    """The one line `tatum customer --help` lists for a command."""
    return f"{operation.summary} ({credits(operation.credits)} a {unit})."


def _described(limits: Limits) -> str:
    """A value's description from the spec, with its constraints: `Customer internal ID (10..50 characters).`"""
    rule = constraints(limits)
    text = limits.description.rstrip(".")
    return f"{text} ({rule})." if rule else f"{text}."


def parameter(operation: Operation, name: str) -> str:
    """Help for a parameter of an operation (`pageSize`)."""
    return _described(operation.parameters[name])


def update_field(name: str) -> str:
    """Help for a CustomerUpdate field (`externalId`), with Tab completion noted for enum codes."""
    limits = CUSTOMER_UPDATE_FIELDS[name]
    text = _described(limits)
    if limits.enum:
        text += " Tab completes the codes (see `tatum completion`)."
    return text


def state_change(command: str) -> str:
    """The help of a bulk state change (`disable`)."""
    operation = OPERATIONS[STATE_CHANGES[command]]
    limits = operation.parameters["id"]
    return (
        f"{describe(operation)}\n\n"
        f"ID: {limits.description} ({constraints(limits)}; `tatum customer get EXTERNAL_ID` shows it). "
        "Give ids as arguments, or one a line with --from FILE (- for stdin): blank lines and # comments "
        "are ignored, a JSON object gives its id (pipe in `tatum customer list --json`, or a run's --json "
        "results), duplicates are sent once. Every id is checked before anything is sent.\n\n"
        f"The calls run concurrently under the API key's rate limit, with a progress bar on a terminal. "
        f"A customer already in that state ({operation.already_in_state}) counts as done. The summary "
        "lists what was done, what already was, each failure with its reason, and the credits spent; "
        "with --json (or when piped) each id's result is also a JSON line.\n\n"
        "The credits the run will spend are printed first; above --confirm-above you are asked, and a run "
        "without a terminal refuses unless --yes is given. --journal FILE records each finished id: after "
        "Ctrl-C (the calls in flight finish, then exit 130) or a crash, run the same command again to "
        "send only what is left.\n\n"
        "Exit status: 0 all done, 1 any failed, 2 usage error (nothing sent), 130 interrupted."
    )
