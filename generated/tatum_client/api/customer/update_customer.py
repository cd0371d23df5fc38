from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.customer import Customer
from ...models.customer_update import CustomerUpdate
from ...models.error_body import ErrorBody
from ...models.validation_error_body import ValidationErrorBody
from ...types import Response


def _get_kwargs(
    id: str,
    *,
    body: CustomerUpdate,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/v3/ledger/customer/{id}".format(
            id=quote(str(id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Customer | ErrorBody | ValidationErrorBody | None:
    if response.status_code == 200:
        response_200 = Customer.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ValidationErrorBody.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorBody.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ErrorBody.from_dict(response.json())

        return response_403

    if response.status_code == 429:
        response_429 = ErrorBody.from_dict(response.json())

        return response_429

    if response.status_code == 500:
        response_500 = ErrorBody.from_dict(response.json())

        return response_500

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Customer | ErrorBody | ValidationErrorBody]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    id: str,
    *,
    client: AuthenticatedClient | Client,
    body: CustomerUpdate,
) -> Response[Customer | ErrorBody | ValidationErrorBody]:
    """Update customer

     This method is helpful in case your primary system will change ID's or customer will change the
    country he/she is supposed to be in compliance with.

    Args:
        id (str):  Example: 5e68c66581f2ee32bc354087.
        body (CustomerUpdate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Customer | ErrorBody | ValidationErrorBody]
    """

    kwargs = _get_kwargs(
        id=id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    id: str,
    *,
    client: AuthenticatedClient | Client,
    body: CustomerUpdate,
) -> Customer | ErrorBody | ValidationErrorBody | None:
    """Update customer

     This method is helpful in case your primary system will change ID's or customer will change the
    country he/she is supposed to be in compliance with.

    Args:
        id (str):  Example: 5e68c66581f2ee32bc354087.
        body (CustomerUpdate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Customer | ErrorBody | ValidationErrorBody
    """

    return sync_detailed(
        id=id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    id: str,
    *,
    client: AuthenticatedClient | Client,
    body: CustomerUpdate,
) -> Response[Customer | ErrorBody | ValidationErrorBody]:
    """Update customer

     This method is helpful in case your primary system will change ID's or customer will change the
    country he/she is supposed to be in compliance with.

    Args:
        id (str):  Example: 5e68c66581f2ee32bc354087.
        body (CustomerUpdate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Customer | ErrorBody | ValidationErrorBody]
    """

    kwargs = _get_kwargs(
        id=id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: str,
    *,
    client: AuthenticatedClient | Client,
    body: CustomerUpdate,
) -> Customer | ErrorBody | ValidationErrorBody | None:
    """Update customer

     This method is helpful in case your primary system will change ID's or customer will change the
    country he/she is supposed to be in compliance with.

    Args:
        id (str):  Example: 5e68c66581f2ee32bc354087.
        body (CustomerUpdate):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Customer | ErrorBody | ValidationErrorBody
    """

    return (
        await asyncio_detailed(
            id=id,
            client=client,
            body=body,
        )
    ).parsed


def build_request(
    id: str,
    *,
    body: CustomerUpdate,
) -> dict[str, Any]:
    """The keyword arguments of `httpx.Client.request` for this operation: method, url, params, json, headers.

    For callers that send the request themselves (the `tatum` package): the same request `sync_detailed` sends.
    """
    return _get_kwargs(
        id=id,
        body=body,
    )


def parse_success(response: httpx.Response) -> Customer:
    """The body of a 200 answer as the spec's type.

    Raises what parsing a body that breaks the contract raises (ValueError, KeyError, TypeError...).
    """
    response_200 = Customer.from_dict(response.json())

    return response_200
