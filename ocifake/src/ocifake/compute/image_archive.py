"""The `.oci` export format as the fake writes and reads it.

A real `.oci` file is a tar holding the QCOW2 boot volume and a JSON metadata file. The fake
keeps that layout but writes a few-byte placeholder disk: the declared size lives in the
metadata, so a "400 GB" image costs a few hundred bytes of memory.
"""

import io
import json
import tarfile

METADATA_NAME = "image_metadata.json"
DISK_NAME = "output.QCOW2"
_DISK_PLACEHOLDER = b"QFI\xfb" + b"\x00" * 60


def build(metadata: dict) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data in (
            (METADATA_NAME, json.dumps(metadata, sort_keys=True).encode()),
            (DISK_NAME, _DISK_PLACEHOLDER),
        ):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def read_metadata(data: bytes) -> dict | None:
    """The metadata of a `.oci` archive, or None if `data` is not one."""
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r") as tar:
            member = tar.extractfile(METADATA_NAME)
            return json.loads(member.read()) if member else None
    except (tarfile.TarError, KeyError, ValueError):
        return None
