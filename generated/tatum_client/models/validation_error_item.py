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

        d = dict(src_dict)
        target = ValidationErrorItemTarget.from_dict(d.pop("target"))

        value = d.pop("value", UNSET)

        property_ = d.pop("property", UNSET)

        _constraints = d.pop("constraints", UNSET)
        constraints: ValidationErrorItemConstraints | Unset
        if isinstance(_constraints, Unset):
            constraints = UNSET
        else:
            constraints = ValidationErrorItemConstraints.from_dict(_constraints)

        validation_error_item = cls(
            target=target,
            value=value,
            property_=property_,
            constraints=constraints,
        )

        validation_error_item.additional_properties = d
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
