from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..models.country_code import CountryCode, check_country_code
from ..models.fiat_currency import FiatCurrency, check_fiat_currency
from ..types import UNSET, Unset

T = TypeVar("T", bound="CustomerUpdate")


@_attrs_define
class CustomerUpdate:
    external_id: str
    """ External customer ID. """
    accounting_currency: FiatCurrency | Unset = UNSET
    """ ISO-4217 currency code, plus the few crypto codes Tatum accepts as accounting currency (ETH, DOGE, FLOW,
    FUSD). """
    customer_country: CountryCode | Unset = UNSET
    """ ISO-3166-1 alpha-2 country code. """
    provider_country: CountryCode | Unset = UNSET
    """ ISO-3166-1 alpha-2 country code. """

    def to_dict(self) -> dict[str, Any]:
        external_id = self.external_id

        accounting_currency: str | Unset = UNSET
        if not isinstance(self.accounting_currency, Unset):
            accounting_currency = self.accounting_currency

        customer_country: str | Unset = UNSET
        if not isinstance(self.customer_country, Unset):
            customer_country = self.customer_country

        provider_country: str | Unset = UNSET
        if not isinstance(self.provider_country, Unset):
            provider_country = self.provider_country

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "externalId": external_id,
            }
        )
        if accounting_currency is not UNSET:
            field_dict["accountingCurrency"] = accounting_currency
        if customer_country is not UNSET:
            field_dict["customerCountry"] = customer_country
        if provider_country is not UNSET:
            field_dict["providerCountry"] = provider_country

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = src_dict
        external_id = d["externalId"]
        if not (isinstance(external_id, str)):
            raise TypeError(
                f"CustomerUpdate field externalId is {'null' if external_id is None else 'a ' + type(external_id).__name__}, not a str"
            )

        _accounting_currency = d.get("accountingCurrency", UNSET)
        accounting_currency: FiatCurrency | Unset
        if isinstance(_accounting_currency, Unset):
            accounting_currency = UNSET
        else:
            accounting_currency = check_fiat_currency(_accounting_currency)

        _customer_country = d.get("customerCountry", UNSET)
        customer_country: CountryCode | Unset
        if isinstance(_customer_country, Unset):
            customer_country = UNSET
        else:
            customer_country = check_country_code(_customer_country)

        _provider_country = d.get("providerCountry", UNSET)
        provider_country: CountryCode | Unset
        if isinstance(_provider_country, Unset):
            provider_country = UNSET
        else:
            provider_country = check_country_code(_provider_country)

        customer_update = cls(  # positional, in the order of the class's fields: twice as fast as keywords
            external_id,
            accounting_currency,
            customer_country,
            provider_country,
        )

        return customer_update
