from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.validation_error_item_constraints import (
        ValidationErrorItemConstraints,
    )
    from ..models.validation_error_item_target import ValidationErrorItemTarget


T = TypeVar("T", bound="ValidationErrorItem")


@_attrs_define
class ValidationErrorItem:
    target: ValidationErrorItemTarget
    """ Request object present in the body of the HTTP request """
    value: Any | Unset = UNSET
    """ Value of the target object which validation is wrong. Can be of any data type. """
    property_: str | Unset = UNSET
    """ Property name of the target object which validation is wrong """
    constraints: ValidationErrorItemConstraints | Unset = UNSET
    """ Object of failed constraints for the target object. Key is the constraint, value is detailed description of
    the failed constraint. """
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        target = self.target.to_dict()

        value = self.value

        property_ = self.property_

        constraints: dict[str, Any] | Unset = UNSET
        if not isinstance(self.constraints, Unset):
            constraints = self.constraints.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "target": target,
            }
        )
        if value is not UNSET:
            field_dict["value"] = value
        if property_ is not UNSET:
            field_dict["property"] = property_
        if constraints is not UNSET:
            field_dict["constraints"] = constraints

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.validation_error_item_constraints import (
            ValidationErrorItemConstraints,
        )
        from ..models.validation_error_item_target import ValidationErrorItemTarget

        d = src_dict
        target = ValidationErrorItemTarget.from_dict(d["target"])

        value = d.get("value", UNSET)

        property_ = d.get("property", UNSET)
        if not (isinstance(property_, str) or property_ is UNSET):
            raise TypeError(
                f"ValidationErrorItem field property is {'null' if property_ is None else 'a ' + type(property_).__name__}, not a str"
            )

        _constraints = d.get("constraints", UNSET)
        constraints: ValidationErrorItemConstraints | Unset
        if isinstance(_constraints, Unset):
            constraints = UNSET
        else:
            constraints = ValidationErrorItemConstraints.from_dict(_constraints)

        validation_error_item = cls(  # positional, in the order of the class's fields: twice as fast as keywords
            target,
            value,
            property_,
            constraints,
        )

        if len(d) > 1 + (value is not UNSET) + (property_ is not UNSET) + (
            constraints is not UNSET
        ):  # keys beyond the properties: keep them
            validation_error_item.additional_properties = {
                key: value
                for key, value in d.items()
                if key not in {"target", "value", "property", "constraints"}
            }
        return validation_error_item

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
