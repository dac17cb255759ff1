"""Credentials the fake hands out, and verification of the SDK's request signatures.

Three kinds of caller exist in one tenancy: an API-key user (key id
`<tenancy>/<user>/<fingerprint>`), the same user signed in with a session token (key id
`ST$<token>`, the token's `ptype` is `user`, as `oci session authenticate` makes), and a
function's resource principal (key id `ST$<token>` with `res_*` claims). Every request must
carry a valid signature from one of them.
"""

import base64
import hashlib
import json
import os
import re
from dataclasses import dataclass
from functools import cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from .errors import NotAuthenticated

_SIG_FIELD = re.compile(r'(\w+)="([^"]*)"')


@cache
def throwaway_key(purpose: str, bits: int = 2048) -> rsa.RSAPrivateKey:
    """One RSA key per purpose (and size) per process: key generation is the slowest part of setup."""
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def fingerprint(key: rsa.RSAPrivateKey) -> str:
    der = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    digest = hashlib.md5(der).hexdigest()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def session_token(claims: dict) -> str:
    """A resource-principal session token shaped like OCI's (a JWT the SDK can decode)."""
    header = _b64url(json.dumps({"alg": "RS256", "typ": "JWT", "kid": "ocifake"}).encode())
    body = _b64url(json.dumps(claims).encode())
    return f"{header}.{body}.{_b64url(b'ocifake-unsigned')}"


def token_claims(token: str) -> dict:
    body = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


@dataclass(frozen=True)
class Principal:
    """Who signed a request: an API-key user or a function's resource principal."""

    kind: str  # "api_key", "session_token" or "resource_principal"
    id: str
    region: str | None = None
    compartment_id: str | None = None  # a resource principal's compartment
    tenancy_id: str | None = None  # a resource principal's tenancy (None: the home tenancy)

    @property
    def is_resource_principal(self) -> bool:
        return self.kind == "resource_principal"


ANONYMOUS = Principal("anonymous", "anonymous")


class Authenticator:
    """Knows the keys of the tenancy's principals and checks each request's signature."""

    def __init__(self, tenancy_id: str, user_id: str, key_bits: int = 2048):
        self.tenancy_id = tenancy_id
        self.user_id = user_id
        self.key_bits = key_bits
        self.user_key = throwaway_key("api-key", key_bits)
        self.session_key = throwaway_key("resource-principal", key_bits)
        self.user_session_key = throwaway_key("user-session", key_bits)
        self.user_key_id = f"{tenancy_id}/{user_id}/{fingerprint(self.user_key)}"
        self.other_users: dict[str, tuple[str, rsa.RSAPrivateKey]] = {}  # key id -> (user, key)
        self.tenancies = {tenancy_id}  # whose resource principals' tokens are accepted

    def add_user(self, user_id: str) -> rsa.RSAPrivateKey:
        """Another API-key user of the tenancy (with a key of its own)."""
        key = throwaway_key(f"user:{user_id}", self.key_bits)
        self.other_users[f"{self.tenancy_id}/{user_id}/{fingerprint(key)}"] = (user_id, key)
        return key

    def principal_for(self, method: str, path_and_query: str, headers: dict[str, str]) -> Principal:
        auth = headers.get("authorization")
        if not auth or not auth.startswith("Signature "):
            raise NotAuthenticated("The required information to complete authentication was not provided.")
        fields = dict(_SIG_FIELD.findall(auth))
        key_id = fields.get("keyId", "")
        if key_id == self.user_key_id:
            principal, key = Principal("api_key", self.user_id), self.user_key
        elif key_id in self.other_users:
            user_id, key = self.other_users[key_id]
            principal = Principal("api_key", user_id)
        elif key_id.startswith("ST$"):
            try:
                claims = token_claims(key_id[3:])
            except (ValueError, IndexError):
                raise NotAuthenticated("The session token could not be parsed.") from None
            if claims.get("ptype") == "user":
                if claims.get("tenant") != self.tenancy_id or claims.get("sub") != self.user_id:
                    raise NotAuthenticated("The session token belongs to another tenancy or user.")
                principal, key = Principal("session_token", self.user_id), self.user_session_key
            else:
                if claims.get("res_tenant") not in self.tenancies:
                    raise NotAuthenticated("The session token belongs to an unknown tenancy.")
                principal = Principal(
                    "resource_principal",
                    claims.get("sub", ""),
                    claims.get("res_region"),
                    claims.get("res_compartment"),
                    claims.get("res_tenant"),
                )
                key = self.session_key
        else:
            raise NotAuthenticated(f"Unknown key id {key_id.split('/')[-1] or key_id!r}.")
        self._verify(fields, key, method, path_and_query, headers)
        return principal

    @staticmethod
    def _verify(fields: dict, key: rsa.RSAPrivateKey, method: str, target: str, headers: dict) -> None:
        lines = []
        signed = fields.get("headers", "date").split()
        # OCI's request signatures cover at least these three on every request.
        missing = [h for h in ("date", "(request-target)", "host") if h not in signed]
        if missing:
            raise NotAuthenticated(f"The signature must cover {', '.join(missing)}.")
        for name in signed:
            if name == "(request-target)":
                lines.append(f"(request-target): {method.lower()} {target}")
            elif name in headers:
                lines.append(f"{name}: {headers[name]}")
            else:
                raise NotAuthenticated(f"Signed header {name!r} is missing from the request.")
        try:
            key.public_key().verify(
                base64.b64decode(fields.get("signature", "")),
                "\n".join(lines).encode(),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except (InvalidSignature, ValueError):
            raise NotAuthenticated("The request signature does not verify.") from None


def write_private_key(directory: str, name: str, key: rsa.RSAPrivateKey) -> str:
    path = os.path.join(directory, name)
    with open(path, "wb") as f:
        f.write(pem(key))
    os.chmod(path, 0o600)
    return path
