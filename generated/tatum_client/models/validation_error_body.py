from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.validation_error_item import ValidationErrorItem


T = TypeVar("T", bound="ValidationErrorBody")


@_attrs_define
class ValidationErrorBody:
    error_code: str
    """ validation.failed """
    message: str
    status_code: int
    data: list[ValidationErrorItem]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        error_code = self.error_code

        message = self.message

        status_code = self.status_code

        data = []
        for data_item_data in self.data:
            data_item = data_item_data.to_dict()
            data.append(data_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "errorCode": error_code,
                "message": message,
                "statusCode": status_code,
                "data": data,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.validation_error_item import ValidationErrorItem

        d = src_dict
        error_code = d["errorCode"]
        if not (isinstance(error_code, str)):
            raise TypeError(
                f"ValidationErrorBody field errorCode is {'null' if error_code is None else 'a ' + type(error_code).__name__}, not a str"
            )

        message = d["message"]
        if not (isinstance(message, str)):
            raise TypeError(
                f"ValidationErrorBody field message is {'null' if message is None else 'a ' + type(message).__name__}, not a str"
            )

        status_code = d["statusCode"]
        if not (isinstance(status_code, int) and not isinstance(status_code, bool)):
            raise TypeError(
                f"ValidationErrorBody field statusCode is {'null' if status_code is None else 'a ' + type(status_code).__name__}, not a int"
            )

        data = []
        _data = d["data"]
        for data_item_data in _data:
            data_item = ValidationErrorItem.from_dict(data_item_data)

            data.append(data_item)

        validation_error_body = cls(  # positional, in the order of the class's fields: twice as fast as keywords
            error_code,
            message,
            status_code,
            data,
        )

        if len(d) > 4:  # keys beyond the properties: keep them
            validation_error_body.additional_properties = {
                key: value
                for key, value in d.items()
                if key not in {"errorCode", "message", "statusCode", "data"}
            }
        return validation_error_body

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
