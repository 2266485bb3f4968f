"""The supervisor's API routes (`/api/regulator/...`), read from the index, behind bearer tokens.

Tokens are random (256 bits) and stored only as their sha256 with the scopes they carry
(`ipledger api-token new` writes a line of the tokens file; the token itself is shown
once). No token, or an unknown one: 401 with `WWW-Authenticate: Bearer`. A known token
without the route's scope: 403. Hashes are compared in constant time.
"""

# No `from __future__ import annotations`: FastAPI reads the routes' annotations, which
# name dependencies local to `regulator_router`.
from collections.abc import Callable, Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine

from ipledger.api.tokens import TokenStore
from ipledger.models import parse_address, parse_patent
from ipledger.models.supervision import Distribution, Flow, Register, Risk, Statement, SubsidyUse
from ipledger.read.indexed import IndexReader
from ipledger.read.registers import distribution, register, statement
from ipledger.read.supervision import flows, risk, subsidy

_bearer = HTTPBearer(auto_error=False, description="A regulator token (`ipledger api-token new`).")


def regulator_router(*, index: Engine | None, tokens: TokenStore | None) -> APIRouter:
    """The `/api/regulator` routes; 503 for each when no index (or no tokens) is configured."""
    router = APIRouter(prefix="/api/regulator", tags=["regulator"])

    def scope(needed: str) -> Callable[..., None]:
        def check(
            credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
        ) -> None:
            if tokens is None:
                raise HTTPException(503, "no regulator tokens are configured on this server")
            granted = None if credentials is None else tokens.scopes_of(credentials.credentials)
            if granted is None:
                raise HTTPException(
                    401, "a valid bearer token is required", {"WWW-Authenticate": "Bearer"}
                )
            if needed not in granted:
                raise HTTPException(403, f"this token does not carry the {needed!r} scope")

        return check

    def reader() -> Iterator[IndexReader]:
        if index is None:
            raise HTTPException(503, "no index is configured on this server (serve --index)")
        with IndexReader.open(index) as r:
            yield r

    Reader = Annotated[IndexReader, Depends(reader)]  # noqa: N806 - a type, named as one
    errors: dict[int | str, dict[str, Any]] = {
        401: {"description": "No bearer token, or an unknown one."},
        403: {"description": "The token does not carry this route's scope."},
        404: {"description": "Not in the index (yet)."},
        503: {"description": "No index or no tokens configured."},
    }

    @router.get("/register/{patent}", response_model=Register, response_model_by_alias=True,
                responses=errors, dependencies=[Depends(scope("register"))])  # fmt: skip
    def get_register(patent: str, r: Reader, block: int | None = None) -> Register:
        """The holders of a patent's tokens at a record date (block)."""
        return register(r, _patent(patent), block=block, loan_book=r.loan_book())

    @router.get("/distributions/{patent}/{seq}", response_model=Distribution,
                response_model_by_alias=True, responses=errors,
                dependencies=[Depends(scope("statements"))])  # fmt: skip
    def get_distribution(patent: str, seq: int, r: Reader) -> Distribution:
        """Deposit `seq` of a patent and each holder's part of it."""
        return distribution(r, _patent(patent), seq)

    @router.get("/statements/{address}", response_model=Statement, response_model_by_alias=True,
                responses=errors, dependencies=[Depends(scope("statements"))])  # fmt: skip
    def get_statement(
        address: str,
        r: Reader,
        since: Annotated[int | None, Query(alias="from")] = None,
        until: Annotated[int | None, Query(alias="to")] = None,
    ) -> Statement:
        """A holder's statement over a period (unix seconds)."""
        return statement(r, _address(address), from_time=since, to_time=until)

    @router.get("/flows", response_model=list[Flow], response_model_by_alias=True,
                responses=errors, dependencies=[Depends(scope("flows"))])  # fmt: skip
    def get_flows(r: Reader, from_block: int | None = None, to_block: int | None = None,
                  cross_border: bool = False) -> list[Flow]:  # fmt: skip
        """Every movement of revenue rights between blocks, with both jurisdictions."""
        found = flows(r, from_block=from_block, to_block=to_block, loan_book=r.loan_book())
        return [f for f in found if f.cross_border or not cross_border]

    @router.get("/risk", response_model=Risk, response_model_by_alias=True, responses=errors,
                dependencies=[Depends(scope("risk"))])  # fmt: skip
    def get_risk(r: Reader, block: int | None = None) -> Risk:
        return risk(r, block=block, loan_book=r.loan_book())

    @router.get("/subsidy", response_model=SubsidyUse, response_model_by_alias=True,
                responses=errors, dependencies=[Depends(scope("subsidy"))])  # fmt: skip
    def get_subsidy(r: Reader, year: int | None = None) -> SubsidyUse:
        return subsidy(r, year=year)

    return router


def _patent(text: str) -> str:
    try:
        return "0x" + parse_patent(text).hex()
    except ValueError as exc:
        raise HTTPException(422, f"patent: {exc}") from None


def _address(text: str) -> str:
    try:
        return parse_address(text)
    except ValueError as exc:
        raise HTTPException(422, f"address: {exc}") from None
