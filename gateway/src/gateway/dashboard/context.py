"""The signed-in user of a page request, or the redirect to the sign-in page."""

from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse

from dkbuza_kit.auth import Principal
from gateway.dashboard.auth import signed_in
from gateway.dashboard.session import codec


@dataclass
class Visit:
    session: dict[str, Any]
    user: Principal

    @property
    def token(self) -> str:
        return self.session["token"]


async def visit(request: Request) -> Visit | RedirectResponse:
    session = codec(request).load(request)
    user = await signed_in(request, session)
    if user is None:
        return RedirectResponse("/ui/login", status_code=303)
    return Visit(session, user)
