"""A private CA and a server certificate for 127.0.0.1 and localhost.

The server certificate is made fresh for each emulator; the CA too, unless the directory already holds one
(ca.pem with ca-key.pem) valid for at least another day: an emulator started again with the same state
directory keeps the CA its users trust."""

from __future__ import annotations

import datetime
import ipaddress
import os

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def _name(common_name):
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Azure Batch emulator"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _write(path, data, mode=0o600):
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode), "wb") as handle:
        handle.write(data)


def _existing_ca(directory, now):
    try:
        with open(os.path.join(directory, "ca.pem"), "rb") as cert, open(os.path.join(directory, "ca-key.pem"), "rb") as key:
            ca_cert = x509.load_pem_x509_certificate(cert.read())
            ca_key = serialization.load_pem_private_key(key.read(), password=None)
    except (OSError, ValueError):
        return None
    # not_valid_after_utc from cryptography 42; not_valid_after (naive UTC) before.
    expires = getattr(ca_cert, "not_valid_after_utc", None) or ca_cert.not_valid_after.replace(tzinfo=datetime.timezone.utc)
    if expires < now + datetime.timedelta(days=1) or ca_cert.public_key() != ca_key.public_key():
        return None
    return ca_cert, ca_key


def _new_ca(not_before, not_after):
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("Azure Batch emulator CA")
    ca_cert = (
        x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(not_before).not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return ca_cert, ca_key


def create_certificates(directory):
    """Write ca.pem (to trust), ca-key.pem, server.pem and server-key.pem; return the paths of all but ca-key.pem.

    The CA and the server certificate are separate (strict X.509 checks, as in OpenSSL 3 and
    Python 3.13, refuse a self-signed leaf used as its own CA)."""
    now = datetime.datetime.now(datetime.timezone.utc)
    not_before, not_after = now - datetime.timedelta(days=1), now + datetime.timedelta(days=30)
    existing = _existing_ca(directory, now)
    ca_cert, ca_key = existing or _new_ca(not_before, now + datetime.timedelta(days=365))
    ca_name = ca_cert.subject
    server_key = ec.generate_private_key(ec.SECP256R1())
    server_cert = (
        x509.CertificateBuilder().subject_name(_name("localhost")).issuer_name(ca_name).public_key(server_key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(not_before).not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=True, key_cert_sign=False, crl_sign=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                    x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(server_key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    paths = {name: os.path.join(directory, name) for name in ("ca.pem", "ca-key.pem", "server.pem", "server-key.pem")}
    if existing is None:
        _write(paths["ca-key.pem"], ca_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                         serialization.NoEncryption()))
        _write(paths["ca.pem"], ca_cert.public_bytes(serialization.Encoding.PEM), 0o644)
    _write(paths["server.pem"], server_cert.public_bytes(serialization.Encoding.PEM) + ca_cert.public_bytes(serialization.Encoding.PEM))
    key_pem = server_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    _write(paths["server-key.pem"], key_pem)
    return paths["ca.pem"], paths["server.pem"], paths["server-key.pem"]
