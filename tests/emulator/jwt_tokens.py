"""JSON Web Tokens and X.509 material for the emulator's Microsoft Entra ID endpoints.

Only what the emulator needs: RS256 signing, RS256/PS256 verification (client assertions
signed by msal use either), key and self-signed certificate generation, certificate
thumbprints and JWKS entries. Standard library plus ``cryptography``.
"""

from __future__ import annotations

import base64
import datetime
import ipaddress
import json

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID


class MalformedToken(ValueError):
    """The text is not a compact JWS with JSON header and claims."""


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as exc:
        raise MalformedToken("invalid base64url segment") from exc


def generate_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def self_signed_certificate(key: rsa.RSAPrivateKey, common_name: str, ip_addresses=(), dns_names=(), days: int = 365) -> x509.Certificate:
    """A self-signed certificate; with ``ip_addresses``/``dns_names`` it is usable as a TLS server certificate."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=days))
    )
    alt_names = [x509.IPAddress(ipaddress.ip_address(ip)) for ip in ip_addresses]
    alt_names += [x509.DNSName(dns) for dns in dns_names]
    if alt_names:
        builder = builder.add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
    return builder.sign(key, hashes.SHA256())


def key_pem(key: rsa.RSAPrivateKey, password: bytes | None = None) -> bytes:
    encryption = serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)


def cert_pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def pfx_bytes(key: rsa.RSAPrivateKey, cert: x509.Certificate, password: bytes, name: bytes = b"client") -> bytes:
    return pkcs12.serialize_key_and_certificates(name, key, cert, None, serialization.BestAvailableEncryption(password))


def sha1_thumbprint(cert: x509.Certificate) -> bytes:
    return cert.fingerprint(hashes.SHA1())  # nosec - the x5t header is defined as a SHA-1 thumbprint


def sha256_thumbprint(cert: x509.Certificate) -> bytes:
    return cert.fingerprint(hashes.SHA256())


def jwk(cert: x509.Certificate, kid: str) -> dict:
    """A JWKS entry in the shape Microsoft Entra ID publishes at its ``jwks_uri``."""
    numbers = cert.public_key().public_numbers()
    return {
        "kty": "RSA",
        "use": "sig",
        "kid": kid,
        "x5t": b64url_encode(sha1_thumbprint(cert)),
        "n": b64url_encode(numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")),
        "e": b64url_encode(numbers.e.to_bytes((numbers.e.bit_length() + 7) // 8, "big")),
        "x5c": [base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode("ascii")],
    }


def encode_rs256(claims: dict, key: rsa.RSAPrivateKey, headers: dict | None = None) -> str:
    header = {"typ": "JWT", "alg": "RS256", **(headers or {})}
    signing_input = ".".join(b64url_encode(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims))
    signature = key.sign(signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
    return signing_input + "." + b64url_encode(signature)


def split_token(token: str) -> tuple[dict, dict, bytes, bytes]:
    """Return (header, claims, signing input, signature) without checking the signature."""
    parts = token.split(".") if isinstance(token, str) else []
    if len(parts) != 3:
        raise MalformedToken("a JWT has three dot-separated segments")
    try:
        header = json.loads(b64url_decode(parts[0]))
        claims = json.loads(b64url_decode(parts[1]))
    except ValueError as exc:
        raise MalformedToken("header or claims are not JSON") from exc
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise MalformedToken("header and claims must be JSON objects")
    return header, claims, (parts[0] + "." + parts[1]).encode("ascii"), b64url_decode(parts[2])


def signature_is_valid(public_key, algorithm: str, signing_input: bytes, signature: bytes) -> bool:
    """RS256 (PKCS#1 v1.5) or PS256 (PSS, any salt length); any other algorithm is refused."""
    paddings = {
        "RS256": padding.PKCS1v15,
        "PS256": lambda: padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.AUTO),
    }
    if algorithm not in paddings or not isinstance(public_key, rsa.RSAPublicKey):
        return False
    try:
        public_key.verify(signature, signing_input, paddings[algorithm](), hashes.SHA256())
    except InvalidSignature:
        return False
    return True
