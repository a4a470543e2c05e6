"""Pages of REST collections: the `page` and `per_page` parameters, one window of a list, and the links
to its neighbours (in the document and in the `Link` header)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import Depends, Query, Request
from pydantic import BaseModel
from starlette.datastructures import URL

from api.deps import SettingsDep
from api.errors import BadRequest
from api.models import Page

Item = TypeVar("Item", bound=BaseModel)
Row = TypeVar("Row")


def resource_url(request: Request) -> URL:
    """The request's URL without `format`: the JSON and the JSON-LD describe the same resource."""
    return request.url.remove_query_params("format")


@dataclass(frozen=True)
class Paging:
    page: int
    per_page: int

    def window(self, items: Sequence[Row]) -> Sequence[Row]:
        start = (self.page - 1) * self.per_page
        return items[start : start + self.per_page]

    def links(self, request: Request, total: int) -> dict[str, str]:
        links = {}
        if self.page * self.per_page < total:
            links["next"] = str(
                resource_url(request).include_query_params(page=self.page + 1, per_page=self.per_page)
            )
        if self.page > 1:
            last = max(1, -(-total // self.per_page))
            links["prev"] = str(
                resource_url(request).include_query_params(
                    page=min(self.page - 1, last), per_page=self.per_page
                )
            )
        return links


def paging(
    settings: SettingsDep,
    page: Annotated[int, Query(ge=1, description="Page number, from 1.", examples=[2])] = 1,
    per_page: Annotated[
        int,
        Query(
            ge=1,
            description="Items per page; at most the server's page_size_max (500 by default).",
            examples=[20],
        ),
    ] = 20,
) -> Paging:
    """Page and page size; raises BadRequest (400) above the server's maximum page size."""
    if per_page > settings.page_size_max:
        raise BadRequest(f"per_page is {per_page}; expected at most {settings.page_size_max}")
    return Paging(page, per_page)


PagingDep = Annotated[Paging, Depends(paging)]


def page_of(
    request: Request, paging_: Paging, total: int, items: list[Item]
) -> tuple[Page[Item], dict[str, str]]:
    """One page of `total` items, and the links to its neighbours."""
    links = paging_.links(request, total)
    return Page[Item](
        iri=str(resource_url(request)),
        total=total,
        page=paging_.page,
        per_page=paging_.per_page,
        next=links.get("next"),
        prev=links.get("prev"),
        items=items,
    ), links


def collection(request: Request, items: list[Item]) -> Page[Item]:
    """Every item in one document, unpaged (the programmes, the funds)."""
    return Page[Item](iri=str(resource_url(request)), total=len(items), items=items)
