"""Development signing key under `.data/keys/` and token minting (used by the CLI and tests)."""

import json
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from dkbuza_kit.paths import data_dir

DEV_ISSUER = "dkbuza-dev"
DEV_AUDIENCE = "dkbuza"


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_pem: bytes
    jwks_path: Path

    def mint(self, *, sub: str, roles: list[str], org: str = "dkbuza",
             teams: list[str] | None = None, ttl_seconds: int = 3600,
             issuer: str = DEV_ISSUER, audience: str = DEV_AUDIENCE,
             **extra_claims) -> str:
        now = int(time.time())
        claims = {
            "sub": sub, "roles": roles, "org": org, "teams": teams or [],
            "iss": issuer, "aud": audience, "iat": now, "exp": now + ttl_seconds,
            "jti": str(uuid.uuid4()), **extra_claims,
        }
        return jwt.encode(claims, self.private_pem, algorithm="RS256", headers={"kid": self.kid})


def generate_key(directory: Path) -> SigningKey:
    directory.mkdir(parents=True, exist_ok=True)
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    kid = f"dev-{uuid.uuid4().hex[:12]}"
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public_jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
    public_jwk.update({"kid": kid, "alg": "RS256", "use": "sig"})
    key_path = directory / "signing-key.pem"
    key_path.write_bytes(pem)
    key_path.chmod(0o600)
    (directory / "kid").write_text(kid)
    jwks_path = directory / "jwks.json"
    jwks_path.write_text(json.dumps({"keys": [public_jwk]}, indent=2))
    return SigningKey(kid=kid, private_pem=pem, jwks_path=jwks_path)


def dev_signing_key(directory: Path | None = None) -> SigningKey:
    """The development key, created on first use."""
    directory = directory or data_dir() / "keys"
    key_path = directory / "signing-key.pem"
    if not key_path.exists():
        return generate_key(directory)
    return SigningKey(
        kid=(directory / "kid").read_text().strip(),
        private_pem=key_path.read_bytes(),
        jwks_path=directory / "jwks.json",
    )
