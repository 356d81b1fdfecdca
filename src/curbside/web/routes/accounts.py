"""Signing in and out, and the admins' user management page."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from curbside.errors import ReviewError
from curbside.review import accounts
from curbside.review.accounts import ROLES, User
from curbside.store import Library
from curbside.web.deps import get_lib, require_admin, web_state
from curbside.web.security import SESSION_COOKIE, cookie_header, cookie_is_secure
from curbside.web.templating import page

router = APIRouter()

#: Longest ``next`` target accepted by the sign-in form.
MAX_NEXT_CHARS = 512


def safe_next(target: str) -> str:
    """A local path to return to after signing in (never another site)."""
    if target.startswith("/") and not target.startswith(("//", "/\\")) and "\n" not in target:
        return target
    return "/review"


def set_session_cookie(response: Response, request: Request, token: str) -> None:
    """Attach the session cookie: HttpOnly, SameSite=Lax, Secure over HTTPS or when configured."""
    secure = cookie_is_secure(request.url.scheme, web_state(request).secure_cookies)
    value = cookie_header(
        SESSION_COOKIE, token, secure=secure, max_age=accounts.SESSION_HOURS * 3600
    )
    response.headers.append("set-cookie", value)


def clear_session_cookie(response: Response, request: Request) -> None:
    """Expire the session cookie in the browser."""
    secure = cookie_is_secure(request.url.scheme, web_state(request).secure_cookies)
    response.headers.append(
        "set-cookie", cookie_header(SESSION_COOKIE, "", secure=secure, max_age=0)
    )


def client_of(request: Request) -> str:
    """The client address recorded with login attempts."""
    return request.client.host if request.client else "unknown"


def login_status(err: ReviewError) -> int:
    """429 once the throttle refuses tries, else 401."""
    return 429 if isinstance(err, accounts.TooManyAttempts) else 401


@router.get("/login", include_in_schema=False)
def login_page(
    request: Request, next: str = Query("/review", max_length=MAX_NEXT_CHARS)
) -> Response:
    """The sign-in form for reviewers and admins."""
    return page(request, "login.html", {"next": safe_next(next), "username": ""})


@router.post("/login", include_in_schema=False)
def login(
    request: Request,
    username: str = Form("", max_length=accounts.MAX_NAME_CHARS),
    password: str = Form("", max_length=accounts.MAX_PASSWORD_CHARS),
    next: str = Form("/review", max_length=MAX_NEXT_CHARS),
    lib: Library = Depends(get_lib),
) -> Response:
    """Check the password (throttled per user, client and pair) and start a session."""
    try:
        session = accounts.login(lib, username.strip(), password, client=client_of(request))
    except ReviewError as err:
        ctx = {"next": safe_next(next), "username": accounts.bounded(username), "error": str(err)}
        return page(request, "login.html", ctx, status=login_status(err))
    response = RedirectResponse(safe_next(next), status_code=303)
    set_session_cookie(response, request, session.token)
    return response


@router.post("/logout", include_in_schema=False)
def logout(request: Request, lib: Library = Depends(get_lib)) -> Response:
    """End the session."""
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        accounts.logout(lib, token)
    response = RedirectResponse("/?done=logout", status_code=303)
    clear_session_cookie(response, request)
    return response


def _users_page(request: Request, lib: Library, error: str = "", status: int = 200) -> Response:
    ctx = {
        "users": accounts.list_users(lib),
        "roles": ROLES,
        "error": error,
        "min_length": accounts.MIN_PASSWORD_LENGTH,
    }
    return page(request, "users.html", ctx, status=status)


@router.get("/admin/users", include_in_schema=False)
def users_page(
    request: Request, lib: Library = Depends(get_lib), admin: User = Depends(require_admin)
) -> Response:
    """Admins: every account, a form to add one, and per-account actions."""
    return _users_page(request, lib)


@router.post("/admin/users", include_in_schema=False)
def add_user(
    request: Request,
    username: str = Form(..., max_length=accounts.MAX_NAME_CHARS),
    password: str = Form(..., max_length=accounts.MAX_PASSWORD_CHARS),
    role: str = Form("reviewer", max_length=16),
    lib: Library = Depends(get_lib),
    admin: User = Depends(require_admin),
) -> Response:
    """Create an account."""
    if role not in ROLES:
        return _users_page(request, lib, "role must be reviewer or admin", 400)
    try:
        accounts.add_user(lib, username, password, role, actor=admin.username)  # type: ignore[arg-type]
    except ReviewError as err:
        return _users_page(request, lib, str(err), 400)
    return RedirectResponse("/admin/users?done=user_added", status_code=303)


@router.post("/admin/users/{username}/remove", include_in_schema=False)
def remove_user(
    username: str,
    request: Request,
    lib: Library = Depends(get_lib),
    admin: User = Depends(require_admin),
) -> Response:
    """Delete an account (admins cannot delete their own, so one admin always remains)."""
    if username.lower() == admin.username.lower():
        return _users_page(request, lib, "you cannot remove your own account", 400)
    try:
        accounts.remove_user(lib, username, actor=admin.username)
    except ReviewError as err:
        return _users_page(request, lib, str(err), 400)
    return RedirectResponse("/admin/users?done=user_removed", status_code=303)


@router.post("/admin/users/{username}/password", include_in_schema=False)
def change_password(
    username: str,
    request: Request,
    password: str = Form(..., max_length=accounts.MAX_PASSWORD_CHARS),
    lib: Library = Depends(get_lib),
    admin: User = Depends(require_admin),
) -> Response:
    """Set a new password and end that user's sessions."""
    try:
        accounts.set_password(lib, username, password, actor=admin.username)
    except ReviewError as err:
        return _users_page(request, lib, str(err), 400)
    return RedirectResponse("/admin/users?done=password", status_code=303)
