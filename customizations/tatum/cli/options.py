"""The global options of `tatum` (network, base URL, debug), and the SDKs they make."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, overload

import click

from .. import Api, AsyncApi, AsyncSdk, Network, Sdk
from ..errors import ValidationError
from .errors import usage_error

NetworkName = Literal["mainnet", "testnet"]


@dataclass(frozen=True)
class Options:
    """What `tatum --network ... --base-url ... --debug` chose."""

    network: NetworkName
    base_url: str | None
    """None: the SDK's default (env TATUM_BASE_URL, else Tatum's API)."""
    debug: bool

    def sdk(self, **kwargs: Any) -> Sdk:
        """An Sdk for the chosen API (keys from the environment); a bad base URL is a usage error."""
        try:
            return Sdk(base_url=self.base_url or None, **kwargs)
        except ValidationError as error:
            raise usage_error(error) from error

    def async_sdk(self, **kwargs: Any) -> AsyncSdk:
        """An AsyncSdk for the chosen API, like `sdk()`."""
        try:
            return AsyncSdk(base_url=self.base_url or None, **kwargs)
        except ValidationError as error:
            raise usage_error(error) from error

    def resolved_base_url(self) -> str:
        """The base URL the SDK will call: --base-url, else env TATUM_BASE_URL, else Tatum's API."""
        with self.sdk() as sdk:
            return sdk.base_url

    @overload
    def network_of(self, sdk: Sdk) -> Network[Api]: ...

    @overload
    def network_of(self, sdk: AsyncSdk) -> Network[AsyncApi]: ...

    def network_of(self, sdk: Sdk | AsyncSdk) -> Network[Api] | Network[AsyncApi]:
        """The chosen network of an Sdk or AsyncSdk."""
        return sdk.mainnet() if self.network == "mainnet" else sdk.testnet()


def current() -> Options:
    """The options of the command being run."""
    return click.get_current_context().find_object(Options) or Options("mainnet", None, False)
