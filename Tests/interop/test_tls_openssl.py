"""TLS seen through the openssl command line tool, independent of any ZooKeeper client: the files `aviary-server
certs` writes, a handshake with the secure client port and with an election port (both sides verify the other's
certificate), and a handshake without a client certificate refused where one is needed.

Each handshake is tried as negotiated (TLS 1.3 where both sides have it) and with TLS 1.2 only, the version ZooKeeper
3.8's Java clients and peers use by default. Under TLS 1.2 a completed handshake also proves that the server accepted
the client's certificate: the server checks it before its Finished message, while under TLS 1.3 the client is done
before the server has looked at it.
"""
import re
import shutil
import subprocess
import tempfile

import pytest

import harness
import tls

HOST = harness.HOST
OPENSSL_TIMEOUT = 15.0

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command line tool")


def openssl(*args, check=True):
    result = subprocess.run(["openssl", *args], capture_output=True, text=True, timeout=OPENSSL_TIMEOUT,
                            stdin=subprocess.DEVNULL)
    if check:
        assert result.returncode == 0, f"openssl {' '.join(args)}:\n{result.stdout}{result.stderr}"
    return result


PROTOCOLS = {"negotiated": [], "tls1.2": ["-tls1_2"]}


def s_client(port, certs, identity=None, wait_for_verdict=False, protocol="negotiated"):
    """openssl s_client against 127.0.0.1:port, verifying the server against certs' CA and presenting identity (a
    PEM file holding key and certificate) if given. stdin is closed, so s_client leaves after the handshake; with
    wait_for_verdict (-ign_eof) it reads on until the server closes, so that under TLS 1.3, where the client's
    handshake ends before the server has checked its certificate, a refusal still arrives as an alert."""
    args = ["s_client", "-connect", f"{HOST}:{port}", "-CAfile", certs.ca, "-verify_return_error",
            "-nameopt", "RFC2253", *PROTOCOLS[protocol]]
    if identity is not None:
        args += ["-cert", identity, "-key", identity]
    if wait_for_verdict:
        args.append("-ign_eof")
    try:
        return openssl(*args, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail(f"openssl s_client on port {port} still connected after {OPENSSL_TIMEOUT}s")


def assert_verified_handshake(result, server_subject, protocol="negotiated"):
    """s_client completed a handshake on TLS 1.2 or 1.3 with a cipher, and verified the server's certificate. The
    version is read from s_client's summary line ("New, TLSv1.3, Cipher is ..."): the SSL-Session block with its
    "Protocol  :" line only follows under TLS 1.3 when a session ticket arrives before s_client leaves."""
    output = result.stdout
    assert result.returncode == 0, output + result.stderr
    summary = re.search(r"^New, (TLSv1\.[23]), Cipher is (\S+)$", output, re.MULTILINE)
    assert summary and summary.group(2) != "(NONE)", output
    if protocol == "tls1.2":
        assert summary.group(1) == "TLSv1.2", output
    assert "Verify return code: 0 (ok)" in output, output
    assert f"subject={server_subject}" in output, output


def assert_refused_handshake(result):
    assert result.returncode != 0, f"handshake accepted:\n{result.stdout}{result.stderr}"


@pytest.fixture(scope="module")
def certs():
    directory = tempfile.mkdtemp(prefix="interop-tls-openssl-")
    yield tls.make_certs(directory, servers=[1, 2, 3], clients=["alice"])
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="module")
def server(certs):
    srv = harness.start(tls=tls.TLS(certs, quorum=False, client_auth="need"))
    yield srv
    srv.stop()


def test_certs_writes_pkcs8_p256_keys_and_certificates_signed_by_its_ca(certs):
    with open(certs.ca) as f:
        ca = f.read()
    for path in (certs.ca_key, certs.server(1), certs.client("alice")):
        with open(path) as f:
            assert f.read().startswith("-----BEGIN PRIVATE KEY-----"), f"{path} does not start with a PKCS#8 key"
        assert "prime256v1" in openssl("pkey", "-in", path, "-noout", "-text").stdout
    for path in (certs.server(1), certs.client("alice")):
        openssl("verify", "-CAfile", certs.ca, path)
    assert openssl("x509", "-in", certs.server(2), "-noout", "-subject", "-nameopt", "RFC2253").stdout.strip() \
        == "subject=CN=server.2,O=Aviary"
    assert openssl("x509", "-in", certs.client("alice"), "-noout", "-subject", "-nameopt", "RFC2253").stdout.strip() \
        == "subject=CN=alice,O=Aviary"
    san = openssl("x509", "-in", certs.server(1), "-noout", "-ext", "subjectAltName").stdout
    assert "IP Address:127.0.0.1" in san and "DNS:localhost" in san

    # Issued later into the same directory: the same CA, a host name as a DNS name, and the validity asked for.
    certs.issue(servers=["4=db4.example,10.1.2.3"], clients=["late"], not_before="2020-01-01", days=1)
    with open(certs.ca) as f:
        assert f.read() == ca
    san = openssl("x509", "-in", certs.server(4), "-noout", "-ext", "subjectAltName").stdout
    assert all(name in san for name in ("DNS:db4.example", "IP Address:10.1.2.3", "IP Address:127.0.0.1")), san
    dates = openssl("x509", "-in", certs.client("late"), "-noout", "-dates").stdout
    assert "notBefore=Jan  1 00:00:00 2020 GMT" in dates and "notAfter=Jan  2 00:00:00 2020 GMT" in dates, dates
    assert openssl("verify", "-CAfile", certs.ca, certs.client("late"), check=False).returncode != 0   # expired


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_client_port_handshake_verifies_both_sides(server, certs, protocol):
    result = s_client(server.secure_port, certs, certs.client("alice"), protocol=protocol)
    assert_verified_handshake(result, "CN=server.1,O=Aviary", protocol)


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_client_port_refuses_a_handshake_without_client_certificate(server, certs, protocol):
    assert_refused_handshake(s_client(server.secure_port, certs, wait_for_verdict=True, protocol=protocol))
    assert "imok" in harness.four_letter_word(server.port, "ruok")


def test_election_port_handshake_verifies_both_sides(ensembles, certs):
    ens = ensembles(["aviary"] * 3, tls=tls.TLS(certs, client=False))
    member = ens.member(1)
    # A peer's certificate (server.2's) passes; no certificate does not.
    for protocol in PROTOCOLS:
        result = s_client(member.election_port, certs, certs.server(2), protocol=protocol)
        assert_verified_handshake(result, "CN=server.1,O=Aviary", protocol)
        assert_refused_handshake(s_client(member.election_port, certs, wait_for_verdict=True, protocol=protocol))
    ens.wait_for_quorum(timeout=30)
