from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

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
        d = dict(src_dict)
        id = d.pop("id")

        external_id = d.pop("externalId")

        active = d.pop("active")

        enabled = d.pop("enabled")

        def _parse_accounting_currency(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        accounting_currency = _parse_accounting_currency(
            d.pop("accountingCurrency", UNSET)
        )

        def _parse_customer_country(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        customer_country = _parse_customer_country(d.pop("customerCountry", UNSET))

        def _parse_provider_country(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        provider_country = _parse_provider_country(d.pop("providerCountry", UNSET))

        customer = cls(
            id=id,
            external_id=external_id,
            active=active,
            enabled=enabled,
            accounting_currency=accounting_currency,
            customer_country=customer_country,
            provider_country=provider_country,
        )

        customer.additional_properties = d
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
