from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.customer import Customer
from ...models.error_body import ErrorBody
from ...models.validation_error_body import ValidationErrorBody
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    page_size: int,
    offset: int | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["pageSize"] = page_size

    params["offset"] = offset

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v3/ledger/customer",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | ValidationErrorBody | list[Customer] | None:
    if response.status_code == 200:
        response_200 = []
        _response_200 = response.json()
        for response_200_item_data in _response_200:
            response_200_item = Customer.from_dict(response_200_item_data)

            response_200.append(response_200_item)

        return response_200

    if response.status_code == 400:
        response_400 = ValidationErrorBody.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorBody.from_dict(response.json())

        return response_401

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
) -> Response[ErrorBody | ValidationErrorBody | list[Customer]]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    page_size: int,
    offset: int | Unset = UNSET,
) -> Response[ErrorBody | ValidationErrorBody | list[Customer]]:
    """List all customers

     List of all customers. Also inactive and disabled customers are present.

    Args:
        page_size (int):  Example: 10.
        offset (int | Unset):  Example: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | ValidationErrorBody | list[Customer]]
    """

    kwargs = _get_kwargs(
        page_size=page_size,
        offset=offset,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    page_size: int,
    offset: int | Unset = UNSET,
) -> ErrorBody | ValidationErrorBody | list[Customer] | None:
    """List all customers

     List of all customers. Also inactive and disabled customers are present.

    Args:
        page_size (int):  Example: 10.
        offset (int | Unset):  Example: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | ValidationErrorBody | list[Customer]
    """

    return sync_detailed(
        client=client,
        page_size=page_size,
        offset=offset,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    page_size: int,
    offset: int | Unset = UNSET,
) -> Response[ErrorBody | ValidationErrorBody | list[Customer]]:
    """List all customers

     List of all customers. Also inactive and disabled customers are present.

    Args:
        page_size (int):  Example: 10.
        offset (int | Unset):  Example: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | ValidationErrorBody | list[Customer]]
    """

    kwargs = _get_kwargs(
        page_size=page_size,
        offset=offset,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    page_size: int,
    offset: int | Unset = UNSET,
) -> ErrorBody | ValidationErrorBody | list[Customer] | None:
    """List all customers

     List of all customers. Also inactive and disabled customers are present.

    Args:
        page_size (int):  Example: 10.
        offset (int | Unset):  Example: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | ValidationErrorBody | list[Customer]
    """

    return (
        await asyncio_detailed(
            client=client,
            page_size=page_size,
            offset=offset,
        )
    ).parsed


def build_request(
    *,
    page_size: int,
    offset: int | Unset = UNSET,
) -> dict[str, Any]:
    """The keyword arguments of `httpx.Client.request` for this operation: method, url, params, json, headers.

    For callers that send the request themselves (the `tatum` package): the same request `sync_detailed` sends.
    """
    return _get_kwargs(
        page_size=page_size,
        offset=offset,
    )


def parse_success(response: httpx.Response) -> list[Customer]:
    """The body of a 200 answer as the spec's type.

    Raises what parsing a body that breaks the contract raises (ValueError, KeyError, TypeError...).
    """
    return [Customer.from_dict(item) for item in response.json()]
