"""Which EHRs may call the CDS Hooks service, and the check of their signed JWTs.

CDS Hooks 2.0: every request carries ``Authorization: Bearer <JWT>`` signed by the EHR
with an asymmetric key. curbside accepts it only when the signature verifies against a
key configured locally for the token's ``iss`` (an allow-list: no key is ever fetched),
``aud`` is this service's URL, ``exp`` has not passed (and lies at most five minutes
after ``iat``), and its ``jti`` has not been seen before from that issuer.

The trust file is TOML::

    audience = "https://curbside.example.org"   # optional: the public base URL
    [[issuer]]
    iss = "https://ehr.example.org"
    jwks_file = "ehr-jwks.json"                 # a JWK Set, relative to this file
"""

from __future__ import annotations

import json
import time
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt

from curbside.errors import CurbsideError

#: Signature algorithms accepted (the spec requires ES384 and RS384). Never HS* or none:
#: a shared secret would let anyone holding it impersonate the EHR.
ALGORITHMS = ("ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512")
#: Clock skew tolerated on ``exp``/``iat``, in seconds.
LEEWAY = 30
#: The longest lifetime (``exp`` − ``iat``) accepted; the spec asks for at most 5 minutes.
MAX_LIFETIME = 300


class TrustError(CurbsideError):
    """A trust file that cannot be used."""


class Unauthorized(CurbsideError):
    """A hook request whose JWT is missing or fails a check (answered with 401)."""


@dataclass(frozen=True)
class Issuer:
    """An EHR allowed to call: its ``iss`` and public keys."""

    iss: str
    keys: tuple[jwt.PyJWK, ...]


@dataclass(frozen=True)
class CdsConfig:
    """How the CDS Hooks service authenticates callers."""

    issuers: Mapping[str, Issuer] = field(default_factory=dict)
    #: Public base URL (behind a proxy the request URL differs from what the EHR signs).
    audience: str | None = None
    #: ``serve --cds-dev``: accept unsigned requests from loopback clients.
    dev_unsigned: bool = False


def _load_jwks(data: object, where: str) -> tuple[jwt.PyJWK, ...]:
    if not isinstance(data, Mapping) or not isinstance(data.get("keys"), list):
        raise TrustError(f"{where}: not a JWK Set (expected an object with 'keys')")
    keys = []
    for n, raw in enumerate(data["keys"], 1):
        try:
            key = jwt.PyJWK(raw)
        except (jwt.PyJWKError, jwt.InvalidKeyError, TypeError, ValueError) as err:
            raise TrustError(f"{where}: key {n} is unusable ({err})") from err
        if key.algorithm_name not in ALGORITHMS and raw.get("alg") is not None:
            raise TrustError(f"{where}: key {n} uses {raw.get('alg')}, not an accepted algorithm")
        if raw.get("kty") == "oct":
            raise TrustError(f"{where}: key {n} is a shared secret; EHR keys must be public keys")
        keys.append(key)
    if not keys:
        raise TrustError(f"{where}: the key set is empty")
    return tuple(keys)


def load_trust(path: Path, *, dev_unsigned: bool = False) -> CdsConfig:
    """Read a trust file (see the module docstring); one-line :class:`TrustError` when bad."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise TrustError(f"{path}: cannot read the CDS trust file ({err.strerror})") from err
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise TrustError(f"{path}: invalid TOML ({err})") from err
    unknown = set(data) - {"audience", "issuer"}
    if unknown:
        raise TrustError(f"{path}: unknown setting(s) {', '.join(sorted(unknown))}")
    issuers: dict[str, Issuer] = {}
    entries = data.get("issuer", [])
    if not isinstance(entries, list):
        raise TrustError(f"{path}: 'issuer' must be a list of [[issuer]] tables")
    for n, entry in enumerate(entries, 1):
        iss = entry.get("iss") if isinstance(entry, Mapping) else None
        if not isinstance(iss, str) or not iss:
            raise TrustError(f"{path}: issuer {n} has no 'iss'")
        if "jwks_file" in entry:
            jwks_path = path.parent / str(entry["jwks_file"])
            try:
                raw = json.loads(jwks_path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as err:
                raise TrustError(f"{jwks_path}: cannot read a JWK Set ({err})") from err
            keys = _load_jwks(raw, str(jwks_path))
        elif "jwks" in entry:
            keys = _load_jwks(entry["jwks"], f"{path}: issuer {iss}")
        else:
            raise TrustError(f"{path}: issuer {iss} has no 'jwks_file' or 'jwks'")
        issuers[iss] = Issuer(iss, keys)
    audience = data.get("audience")
    if audience is not None and not isinstance(audience, str):
        raise TrustError(f"{path}: 'audience' must be a URL")
    return CdsConfig(issuers, audience.rstrip("/") if audience else None, dev_unsigned)


@dataclass(frozen=True)
class Caller:
    """Who made a verified request."""

    iss: str
    sub: str | None
    jti: str | None
    unsigned: bool = False


def bearer(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer`` header, else None."""
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _pick_key(issuer: Issuer, kid: object) -> jwt.PyJWK:
    if isinstance(kid, str):
        for key in issuer.keys:
            if key.key_id == kid:
                return key
        raise Unauthorized("the JWT's key id is not configured for its issuer")
    if len(issuer.keys) == 1:
        return issuer.keys[0]
    raise Unauthorized("the JWT names no key id and its issuer has several keys")


def verify_jwt(
    token: str,
    config: CdsConfig,
    audiences: list[str],
    remember: Callable[[str, str, float], bool],
    *,
    now: float | None = None,
) -> Caller:
    """Check a hook request's JWT; :class:`Unauthorized` with the reason when it fails.

    ``remember(iss, jti, exp)`` records a token id and returns False when it was seen.
    """
    try:
        header = jwt.get_unverified_header(token)
        unverified: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as err:
        raise Unauthorized("the bearer token is not a well-formed JWT") from err
    if header.get("alg") not in ALGORITHMS:
        raise Unauthorized(f"JWT algorithm {header.get('alg')!r} is not accepted")
    iss = unverified.get("iss")
    issuer = config.issuers.get(iss) if isinstance(iss, str) else None
    if issuer is None:
        raise Unauthorized("the JWT's issuer is not on this service's allow-list")
    key = _pick_key(issuer, header.get("kid"))
    moment = time.time() if now is None else now
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key=key,
            algorithms=[str(header["alg"])],
            audience=audiences,
            issuer=issuer.iss,
            leeway=LEEWAY,
            options={"require": ["iss", "aud", "exp", "iat", "jti"]},
        )
    except jwt.ExpiredSignatureError as err:
        raise Unauthorized("the JWT has expired") from err
    except jwt.InvalidAudienceError as err:
        raise Unauthorized("the JWT's audience is not this service") from err
    except jwt.MissingRequiredClaimError as err:
        raise Unauthorized(f"the JWT lacks the {err.claim!r} claim") from err
    except jwt.InvalidSignatureError as err:
        raise Unauthorized("the JWT's signature does not verify") from err
    except jwt.PyJWTError as err:
        raise Unauthorized(f"the JWT was refused ({err})") from err
    exp, iat = claims["exp"], claims["iat"]
    if not isinstance(exp, int | float) or not isinstance(iat, int | float):
        raise Unauthorized("the JWT's exp and iat must be numbers")
    if exp - iat > MAX_LIFETIME + LEEWAY or iat > moment + LEEWAY:
        raise Unauthorized("the JWT's lifetime is longer than five minutes or starts in the future")
    jti = claims["jti"]
    if not isinstance(jti, str) or not jti or len(jti) > 256:
        raise Unauthorized("the JWT's jti must be a short string")
    if not remember(issuer.iss, jti, float(exp) + LEEWAY):
        raise Unauthorized("the JWT was used before (jti replay)")
    sub = claims.get("sub")
    return Caller(issuer.iss, sub if isinstance(sub, str) else None, jti)
