"""Test certificates made with the openssl CLI: a CA, a server certificate for 127.0.0.1,
client certificates signed by it, and a second, unrelated CA with its own client certificate.

Only for tests: keys are unencrypted EC P-256, valid for a day.
"""
from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path


def openssl() -> str:
    found = shutil.which("openssl")
    if not found:
        raise FileNotFoundError("openssl not found (Debian package `openssl`)")
    return found


def _run(*args: str, cwd: Path) -> None:
    res = subprocess.run([openssl(), *args], check=False, cwd=cwd, capture_output=True, text=True, timeout=60)
    if res.returncode != 0:
        raise RuntimeError(f"openssl {' '.join(args)} failed ({res.returncode}):\n{res.stderr}")


@dataclass(frozen=True)
class CertKey:
    cert: Path
    key: Path


@dataclass(frozen=True)
class Pki:
    ca: Path                 # the CA etcd trusts (and clients use to verify etcd)
    server: CertKey          # etcd's certificate: subjectAltName IP:127.0.0.1
    client: CertKey          # signed by `ca`
    other_ca: Path           # an unrelated CA
    wrong_client: CertKey    # signed by `other_ca`: etcd must refuse it


def _new_key(path: Path, cwd: Path) -> None:
    _run("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", str(path), cwd=cwd)


def make_ca(directory: Path, name: str) -> tuple[Path, Path]:
    key, cert = directory / f"{name}.key", directory / f"{name}.crt"
    _new_key(key, directory)
    _run("req", "-x509", "-new", "-key", str(key), "-out", str(cert), "-days", "1",
         "-subj", f"/CN={name}",
         "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=directory)
    return cert, key


def make_leaf(directory: Path, name: str, ca: tuple[Path, Path], *, server: bool) -> CertKey:
    """A certificate signed by `ca`; a server one carries subjectAltName IP:127.0.0.1."""
    key, csr, cert = directory / f"{name}.key", directory / f"{name}.csr", directory / f"{name}.crt"
    ext = directory / f"{name}.ext"
    _new_key(key, directory)
    _run("req", "-new", "-key", str(key), "-out", str(csr), "-subj", f"/CN={name}", cwd=directory)
    lines = ["basicConstraints=critical,CA:FALSE", "keyUsage=critical,digitalSignature,keyEncipherment"]
    if server:
        # etcd 3.4 also uses its server certificate as a client of itself (grpc-gateway).
        lines += ["extendedKeyUsage=serverAuth,clientAuth", "subjectAltName=IP:127.0.0.1,DNS:localhost"]
    else:
        lines += ["extendedKeyUsage=clientAuth"]
    ext.write_text("\n".join(lines) + "\n")
    ca_cert, ca_key = ca
    _run("x509", "-req", "-in", str(csr), "-CA", str(ca_cert), "-CAkey", str(ca_key), "-CAcreateserial",
         "-out", str(cert), "-days", "1", "-extfile", str(ext), cwd=directory)
    return CertKey(cert, key)


def make_pki(directory: Path) -> Pki:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    ca = make_ca(directory, "test-ca")
    other = make_ca(directory, "other-ca")
    return Pki(
        ca=ca[0],
        server=make_leaf(directory, "etcd-server", ca, server=True),
        client=make_leaf(directory, "client", ca, server=False),
        other_ca=other[0],
        wrong_client=make_leaf(directory, "wrong-client", other, server=False),
    )
