"""A call that got no answer is named by its endpoint's host and the network's own reason."""

import pytest

from replicator.gateways.calls import transport_cause

POOL = (
    "OCIConnectionPool(host='objectstorage.us-ashburn-1.oraclecloud.com', port=443): Max retries exceeded with url: /n"
)


@pytest.mark.parametrize(
    ("text", "cause"),
    [
        (
            POOL + " (Caused by NewConnectionError('OCIConnection(host=\\'objectstorage.us-ashburn-1.oraclecloud"
            ".com\\', port=443): Failed to establish a new connection: [Errno 111] Connection refused'))",
            "[Errno 111] Connection refused",
        ),
        (
            POOL + " (Caused by NameResolutionError(\"OCIConnection(host='objectstorage.us-ashburn-1.oraclecloud"
            ".com', port=443): Failed to resolve 'objectstorage.us-ashburn-1.oraclecloud.com' ([Errno -2] Name or "
            'service not known)"))',
            "Name or service not known",
        ),
        (
            POOL + " (Caused by ProxyError('Unable to connect to proxy', NewConnectionError(\"OCIConnection("
            "host='10.0.0.9', port=3128): Failed to establish a new connection: [Errno 113] No route to host\")))",
            "proxy 10.0.0.9:3128 refused or unreachable ([Errno 113] No route to host)",
        ),
        (
            POOL + " (Caused by SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] "
            "certificate verify failed: self-signed certificate in certificate chain')))",
            "TLS: certificate verify failed: self-signed certificate in certificate chain",
        ),
        (POOL + ' (Caused by ReadTimeoutError("Read timed out. (read timeout=60)"))', "Read timed out"),
    ],
)
def test_the_host_and_the_innermost_reason_are_read_from_the_sdk_s_error(text, cause):
    assert transport_cause(OSError(text)) == ("objectstorage.us-ashburn-1.oraclecloud.com", cause)


def test_an_error_without_either_falls_back_to_its_type():
    assert transport_cause(ConnectionError("")) == (None, "ConnectionError")
