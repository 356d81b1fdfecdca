"""JWT checks of CDS Hooks calls: signature, allow-listed issuer, audience, expiry, replay."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from pathlib import Path

import pytest

jwt = pytest.importorskip("jwt", reason="needs the cds extra")

from curbside.clinical.trust import (  # noqa: E402
    CdsConfig,
    TrustError,
    Unauthorized,
    bearer,
    load_trust,
    verify_jwt,
)
from tests.clinical.helpers import Ehr  # noqa: E402

AUD = "https://curbside.example.org/cds-services/curbside-patient-view"


class Seen:
    """An in-memory replay register standing in for the library's."""

    def __init__(self) -> None:
        self.ids: set[tuple[str, str]] = set()

    def __call__(self, iss: str, jti: str, exp: float) -> bool:
        if (iss, jti) in self.ids:
            return False
        self.ids.add((iss, jti))
        return True


@pytest.fixture(scope="module")
def ehr() -> Ehr:
    return Ehr()


def test_a_well_signed_token_is_accepted_once(ehr: Ehr) -> None:
    seen = Seen()
    token = ehr.token(AUD)
    caller = verify_jwt(token, ehr.config(), [AUD], seen)
    assert caller.iss == ehr.iss and caller.sub == "fictional-client" and not caller.unsigned
    with pytest.raises(Unauthorized, match="replay"):
        verify_jwt(token, ehr.config(), [AUD], seen)


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"aud": "https://elsewhere.example.org/cds-services/x"}, "audience"),
        ({"exp": int(time.time()) - 120, "iat": int(time.time()) - 400}, "expired"),
        ({"exp": int(time.time()) + 3600}, "five minutes"),
        ({"iat": int(time.time()) + 600, "exp": int(time.time()) + 700}, "future|iat"),
        ({"jti": None}, "jti"),
        ({"aud": None}, "aud"),
        ({"iss": "https://unknown-ehr.example.org"}, "allow-list"),
    ],
)
def test_claims_that_fail_are_refused(ehr: Ehr, overrides: dict[str, object], reason: str) -> None:
    with pytest.raises(Unauthorized, match=reason):
        verify_jwt(ehr.token(AUD, **overrides), ehr.config(), [AUD], Seen())


def test_a_token_signed_by_another_key_is_refused(ehr: Ehr) -> None:
    impostor = Ehr(iss=ehr.iss, kid=ehr.kid)
    with pytest.raises(Unauthorized, match="signature"):
        verify_jwt(impostor.token(AUD), ehr.config(), [AUD], Seen())


def test_unknown_key_id_is_refused(ehr: Ehr) -> None:
    other = Ehr(iss=ehr.iss, kid="another-kid")
    with pytest.raises(Unauthorized, match="key id"):
        verify_jwt(other.token(AUD), ehr.config(), [AUD], Seen())


def test_unsigned_and_symmetric_tokens_are_refused(ehr: Ehr) -> None:
    claims = {
        "iss": ehr.iss,
        "aud": AUD,
        "exp": int(time.time()) + 60,
        "iat": int(time.time()),
        "jti": "x",
    }
    unsigned = jwt.encode(claims, None, algorithm="none")
    with pytest.raises(Unauthorized, match="algorithm"):
        verify_jwt(unsigned, ehr.config(), [AUD], Seen())

    # Key confusion: HS256 "signed" with the public key as the shared secret.
    # (PyJWT refuses to make such a token, so it is assembled by hand.)
    def part(data: dict[str, object]) -> bytes:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=")

    signing = part({"alg": "HS256", "typ": "JWT", "kid": ehr.kid}) + b"." + part(claims)
    secret = json.dumps(ehr.jwks()["keys"][0]).encode()
    mac = base64.urlsafe_b64encode(hmac.new(secret, signing, hashlib.sha256).digest()).rstrip(b"=")
    forged = (signing + b"." + mac).decode()
    with pytest.raises(Unauthorized, match="algorithm"):
        verify_jwt(forged, ehr.config(), [AUD], Seen())


@pytest.mark.parametrize("garbage", ["", "abc", "a.b.c", "é" * 50, "x" * 5000, "eyJ.eyJ.sig"])
def test_garbage_tokens_are_refused(ehr: Ehr, garbage: str) -> None:
    with pytest.raises(Unauthorized):
        verify_jwt(garbage, ehr.config(), [AUD], Seen())


def test_no_issuers_trusts_nobody(ehr: Ehr) -> None:
    with pytest.raises(Unauthorized, match="allow-list"):
        verify_jwt(ehr.token(AUD), CdsConfig(), [AUD], Seen())


def test_bearer_header_parsing() -> None:
    assert bearer("Bearer abc") == "abc"
    assert bearer("bearer  abc ") == "abc"
    assert bearer("Basic abc") is None
    assert bearer("Bearer ") is None
    assert bearer(None) is None


def test_trust_file_round_trip(tmp_path: Path, ehr: Ehr) -> None:
    (tmp_path / "ehr.json").write_text(json.dumps(ehr.jwks()), encoding="utf-8")
    trust = tmp_path / "trust.toml"
    trust.write_text(
        'audience = "https://curbside.example.org/"\n'
        f'[[issuer]]\niss = "{ehr.iss}"\njwks_file = "ehr.json"\n',
        encoding="utf-8",
    )
    config = load_trust(trust)
    assert config.audience == "https://curbside.example.org"
    assert verify_jwt(ehr.token(AUD), config, [AUD], Seen()).iss == ehr.iss


@pytest.mark.parametrize(
    ("text", "files", "message"),
    [
        ("audience = [", {}, "invalid TOML"),
        ("colour = 1", {}, "unknown setting"),
        ("[[issuer]]\njwks_file = 'k.json'", {}, "no 'iss'"),
        ("[[issuer]]\niss = 'x'", {}, "no 'jwks_file'"),
        ("[[issuer]]\niss = 'x'\njwks_file = 'missing.json'", {}, "cannot read"),
        ("[[issuer]]\niss = 'x'\njwks_file = 'k.json'", {"k.json": "{not json"}, "cannot read"),
        ("[[issuer]]\niss = 'x'\njwks_file = 'k.json'", {"k.json": '{"keys": []}'}, "empty"),
        (
            "[[issuer]]\niss = 'x'\njwks_file = 'k.json'",
            {"k.json": '{"keys": [{"kty": "EC"}]}'},
            "unusable",
        ),
        (
            "[[issuer]]\niss = 'x'\njwks_file = 'k.json'",
            {"k.json": '{"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}'},
            "shared secret|not an accepted",
        ),
    ],
)
def test_bad_trust_files_fail_with_one_line(
    tmp_path: Path, text: str, files: dict[str, str], message: str
) -> None:
    for name, content in files.items():
        (tmp_path / name).write_text(content, encoding="utf-8")
    trust = tmp_path / "trust.toml"
    trust.write_text(text, encoding="utf-8")
    with pytest.raises(TrustError, match=message) as info:
        load_trust(trust)
    assert "\n" not in str(info.value)


def test_missing_trust_file(tmp_path: Path) -> None:
    with pytest.raises(TrustError, match="cannot read"):
        load_trust(tmp_path / "absent.toml")
