"""The SDK's errors as a person at a shell reads them, and the exit status of each.

Exit status: 0 all went well; 1 the API (or the network) refused or failed something; 2 a usage error, where
nothing was sent; 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import os

import click

from .._constants import ENV_API_KEY_MAINNET, ENV_API_KEY_TESTNET
from .._spec import CUSTOMER_UPDATE_FIELDS, snake_case
from ..errors import (
    ApiError,
    AuthenticationError,
    CustomerNotFoundError,
    TatumError,
    ValidationError,
    _with_request_id,
)
from . import safe

OK = 0
FAILED = 1
USAGE = 2
INTERRUPTED = 130

KEY_VARIABLES = {"mainnet": ENV_API_KEY_MAINNET, "testnet": ENV_API_KEY_TESTNET}
"""The environment variable holding each network's API key: the only place the CLI takes a key from."""

_OPTIONS = {
    "id": "ID",
    "page_size": "--page-size",
    "offset": "--offset",
    "base_url": "--base-url (or TATUM_BASE_URL)",
    **{
        f"customer_update.{name}": "--" + snake_case(name).replace("_", "-")
        for name in CUSTOMER_UPDATE_FIELDS
    },
}
"""The command-line name of each argument the SDK may name in a ValidationError."""


def usage_error(error: ValidationError) -> click.UsageError:
    """A ValidationError of the SDK as a usage error naming the option or argument and the rule."""
    return click.UsageError(f"{_OPTIONS.get(error.parameter, error.parameter)}: {error.rule}")


def authentication(error: AuthenticationError, network: str) -> str:
    """What to do when the API refuses the key: which environment variable to set (one line, escaped)."""
    variable = KEY_VARIABLES[network]
    if os.environ.get(variable):
        said = with_request_id(f"{error.error_code or error.status_code}: {error.message}", error.request_id)
        text = f"the API refused the {network} key in {variable} ({said}); set {variable} to a valid {network} API key"
    else:
        said = with_request_id(error.message, error.request_id)
        text = f"no {network} API key: set {variable} to your {network} API key ({said})"
    return safe.text(text)


def with_request_id(text: str, request_id: str | None) -> str:
    """`text [request id ...]`: the id a person quotes to Tatum's support, as the SDK's errors show it (a
    function of this module's API, as it was; the SDK's formatter does the work)."""
    return _with_request_id(text, request_id)


def reason(error: TatumError) -> str:
    """Why a call failed, as the API said it: the data of a JSON line (not escaped for a terminal)."""
    if isinstance(error, ApiError):
        return with_request_id(f"{code(error)}: {error.message}", error.request_id)
    return str(error)


def code(error: ApiError) -> str:
    """The API's errorCode of a refusal, else its HTTP status (`HTTP 400`)."""
    return error.error_code or f"HTTP {error.status_code}"


def message(error: TatumError, network: str, id: str | None = None) -> str:
    """The message `tatum` prints for an error that ends a command: one line, the API's text escaped."""
    if isinstance(error, AuthenticationError):
        return authentication(error, network)
    if isinstance(error, CustomerNotFoundError) and id is not None:
        return safe.text(f"no customer {id!r} on {network} ({reason(error)})")
    return safe.text(reason(error))


class Failure(click.ClickException):
    """The API (or the network) refused or failed: exit status 1."""

    exit_code = FAILED
