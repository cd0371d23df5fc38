from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ErrorBody")


@_attrs_define
class ErrorBody:
    message: str
    """ Human-readable description of the error. """
    status_code: int
    """ The HTTP status, repeated. """
    error_code: str | Unset = UNSET
    """ Machine-readable error code, such as `customer.not.exists`. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        message = self.message

        status_code = self.status_code

        error_code = self.error_code

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "message": message,
                "statusCode": status_code,
            }
        )
        if error_code is not UNSET:
            field_dict["errorCode"] = error_code

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = src_dict
        message = d["message"]
        if not (isinstance(message, str)):
            raise TypeError(
                f"ErrorBody field message is {'null' if message is None else 'a ' + type(message).__name__}, not a str"
            )

        status_code = d["statusCode"]
        if not (isinstance(status_code, int) and not isinstance(status_code, bool)):
            raise TypeError(
                f"ErrorBody field statusCode is {'null' if status_code is None else 'a ' + type(status_code).__name__}, not a int"
            )

        error_code = d.get("errorCode", UNSET)
        if not (isinstance(error_code, str) or error_code is UNSET):
            raise TypeError(
                f"ErrorBody field errorCode is {'null' if error_code is None else 'a ' + type(error_code).__name__}, not a str"
            )

        error_body = cls(  # positional, in the order of the class's fields: twice as fast as keywords
            message,
            status_code,
            error_code,
        )

        if len(d) > 2 + (
            error_code is not UNSET
        ):  # keys beyond the properties: keep them
            error_body.additional_properties = {
                key: value
                for key, value in d.items()
                if key not in {"message", "statusCode", "errorCode"}
            }
        return error_body

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
