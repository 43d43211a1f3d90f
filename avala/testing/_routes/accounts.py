"""The caller (``GET /users/me/``) and anonymous signup (``POST /signup/``).

Collection ``users``: accounts created by signup (``email`` unique)."""

from __future__ import annotations

import secrets

from .._routing import FakeRequest, FakeResponse, Router
from .._store import Store, bad_request
from ._fields import OPTIONAL_TEXT, Field, Spec, email, validated
from .datasets_more import CALLER

router = Router()

MIN_PASSWORD = 8
SIGNUP: Spec = {
    "email": Field(required=True, blank=False, rule=email),
    "password": Field(required=True, blank=False),
    "first_name": OPTIONAL_TEXT,
    "last_name": OPTIONAL_TEXT,
}


@router.route("GET", "/users/me/")
def me(state: Store, req: FakeRequest) -> FakeResponse:
    return FakeResponse(
        200, {"uid": state.user_uid, "username": CALLER, "email": f"{CALLER}@example.com"}
    )


@router.route("POST", "/signup/")
def signup(state: Store, req: FakeRequest) -> FakeResponse:
    body = validated(req, SIGNUP)
    if isinstance(body, FakeResponse):
        return body
    if len(body["password"]) < MIN_PASSWORD:
        message = f"This password is too short. It must contain at least {MIN_PASSWORD} characters."
        return bad_request({"password": [message]})
    if state.first("users", email=body["email"]) is not None:
        return bad_request({"email": ["A user with that email already exists."]})
    user = state.create(
        "users",
        {
            "username": body["email"].split("@")[0],
            "email": body["email"],
            "first_name": body.get("first_name"),
            "last_name": body.get("last_name"),
            "in_waitlist": False,
        },
    )
    shown = {k: user[k] for k in ("uid", "username", "email", "first_name", "last_name")}
    api_key = secrets.token_hex(20)
    return FakeResponse(201, {"user": {**shown, "in_waitlist": False}, "api_key": api_key})
