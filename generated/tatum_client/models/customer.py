from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="Customer")


@_attrs_define
class Customer:
    id: str
    """ Customer internal ID within Tatum. """
    external_id: str
    """ Customer external ID. """
    active: bool
    """ Indicates whether customer is active or not """
    enabled: bool
    """ Indicates whether customer is enabled or not """
    accounting_currency: None | str | Unset = UNSET
    """ All transaction will be accounted in this currency for all accounts of the customer. Currency can be
    overridden per account level. ISO-4217 (a FiatCurrency code). """
    customer_country: None | str | Unset = UNSET
    """ Country customer has to be compliant with (ISO-3166-1 alpha-2). """
    provider_country: None | str | Unset = UNSET
    """ Country service provider has to be compliant with (ISO-3166-1 alpha-2). """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        external_id = self.external_id

        active = self.active

        enabled = self.enabled

        accounting_currency: None | str | Unset
        if isinstance(self.accounting_currency, Unset):
            accounting_currency = UNSET
        else:
            accounting_currency = self.accounting_currency

        customer_country: None | str | Unset
        if isinstance(self.customer_country, Unset):
            customer_country = UNSET
        else:
            customer_country = self.customer_country

        provider_country: None | str | Unset
        if isinstance(self.provider_country, Unset):
            provider_country = UNSET
        else:
            provider_country = self.provider_country

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "externalId": external_id,
                "active": active,
                "enabled": enabled,
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
        id = d["id"]
        if not (isinstance(id, str)):
            raise TypeError(
                f"Customer field id is {'null' if id is None else 'a ' + type(id).__name__}, not a str"
            )

        external_id = d["externalId"]
        if not (isinstance(external_id, str)):
            raise TypeError(
                f"Customer field externalId is {'null' if external_id is None else 'a ' + type(external_id).__name__}, not a str"
            )

        active = d["active"]
        if not (isinstance(active, bool)):
            raise TypeError(
                f"Customer field active is {'null' if active is None else 'a ' + type(active).__name__}, not a bool"
            )

        enabled = d["enabled"]
        if not (isinstance(enabled, bool)):
            raise TypeError(
                f"Customer field enabled is {'null' if enabled is None else 'a ' + type(enabled).__name__}, not a bool"
            )

        accounting_currency = d.get("accountingCurrency", UNSET)
        if not (
            isinstance(accounting_currency, str)
            or accounting_currency is None
            or accounting_currency is UNSET
        ):
            raise TypeError(
                f"Customer field accountingCurrency is {'null' if accounting_currency is None else 'a ' + type(accounting_currency).__name__}, not a str or null"
            )

        customer_country = d.get("customerCountry", UNSET)
        if not (
            isinstance(customer_country, str)
            or customer_country is None
            or customer_country is UNSET
        ):
            raise TypeError(
                f"Customer field customerCountry is {'null' if customer_country is None else 'a ' + type(customer_country).__name__}, not a str or null"
            )

        provider_country = d.get("providerCountry", UNSET)
        if not (
            isinstance(provider_country, str)
            or provider_country is None
            or provider_country is UNSET
        ):
            raise TypeError(
                f"Customer field providerCountry is {'null' if provider_country is None else 'a ' + type(provider_country).__name__}, not a str or null"
            )

        customer = cls(  # positional, in the order of the class's fields: twice as fast as keywords
            id,
            external_id,
            active,
            enabled,
            accounting_currency,
            customer_country,
            provider_country,
        )

        if len(d) > 4 + (accounting_currency is not UNSET) + (
            customer_country is not UNSET
        ) + (provider_country is not UNSET):  # keys beyond the properties: keep them
            customer.additional_properties = {
                key: value
                for key, value in d.items()
                if key
                not in {
                    "id",
                    "externalId",
                    "active",
                    "enabled",
                    "accountingCurrency",
                    "customerCountry",
                    "providerCountry",
                }
            }
        return customer

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
