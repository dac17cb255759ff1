"""The lazy SDK loader: it fits the installed oci, or it says why not and imports oci as usual."""

import json
import subprocess
import sys
import textwrap

import pytest

from replicator.gateways import sdk
from tests.helpers import FUNC_ENTRY


def test_the_installed_oci_has_the_layout_the_lazy_loader_relies_on():
    # If this fails after an oci upgrade, the function still works (it imports oci as usual),
    # but loses its cold start and memory savings: read gateways/sdk.py and adapt it.
    assert sdk.layout_problems() == []


def _fresh_process(code: str, env: dict | None = None) -> dict:
    """Run `code` in a new interpreter (this one has imported oci whole) and read its JSON answer."""
    import os

    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_fresh_function_loads_only_the_sdk_it_uses_and_no_reconcile_code():
    found = _fresh_process(
        """
        import json, sys
        import runpy
        runpy.run_path(ENTRY)
        from replicator.gateways import sdk
        oci = [m for m in sys.modules if m == "oci" or m.startswith("oci.")]
        models = [m for m in oci if ".models." in m]
        reconcile = [m for m in sys.modules if m.startswith("replicator.reconcile.") and not m.endswith(".request")]
        print(json.dumps({"status": sdk.status, "oci": len(oci), "models": len(models), "reconcile": reconcile}))
        """.replace("ENTRY", repr(str(FUNC_ENTRY)))
    )
    assert found["status"] == "lazy"
    assert found["oci"] < 250 and found["models"] == 0
    assert found["reconcile"] == []


def test_lazily_loaded_models_deserialize_as_the_sdk_would():
    found = _fresh_process(
        """
        import json
        from cryptography.hazmat.primitives.asymmetric import rsa
        from replicator.gateways import sdk
        sdk.install()
        import oci
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        signer = oci.auth.signers.SecurityTokenSigner("token", key)
        client = oci.core.ComputeClient({"region": "us-ashburn-1"}, signer=signer)
        body = json.dumps(
            {"id": "ocid1.image.oc1.iad.aaaa", "lifecycleState": "AVAILABLE", "launchOptions": {"firmware": "UEFI_64"}}
        ).encode()
        image = client.base_client.deserialize_response_data(body, "Image")
        firmware = image.launch_options.firmware
        print(json.dumps({"status": sdk.status, "type": type(image).__name__, "firmware": firmware}))
        """
    )
    assert found == {"status": "lazy", "type": "Image", "firmware": "UEFI_64"}


def test_fips_mode_imports_oci_as_usual():
    found = _fresh_process(
        """
        import json, sys
        from replicator.gateways import sdk
        sdk.install()
        print(json.dumps({"status": sdk.status, "pagination": "oci.pagination" in sys.modules}))
        """,
        {"OCI_PYTHON_SDK_FIPS_LIBCRYPTO_PATH": "/nonexistent/libcrypto.so"},
    )
    assert found["status"] == "normal: FIPS mode"
    assert found["pagination"]  # imported by oci's own __init__ only


def test_a_layout_the_loader_does_not_know_falls_back_to_the_normal_import(monkeypatch):
    imported = []
    monkeypatch.setattr(sdk, "read_layouts", lambda: ({}, ["oci.core: unexpected If at line 3 of __init__.py"]))
    status = sdk.install(environ={}, import_oci=lambda: imported.append("oci"), modules={})
    assert status == "normal: oci.core: unexpected If at line 3 of __init__.py"
    assert imported == ["oci"]


def test_an_unexpected_statement_in_a_package_init_is_a_layout_change(tmp_path):
    init = tmp_path / "__init__.py"
    init.write_text("from .compute_client import ComputeClient\nprint('side effect')\n")
    with pytest.raises(sdk.LayoutChanged, match="unexpected Expr at line 2"):
        sdk.read_layout("oci.core", init)
    init.write_text("from .a import A\nfrom .b import B\nx_type_mapping = {'A': A, 'B': B}\n__all__ = ['A']\n")
    names, mappings = sdk.read_layout("oci.x", init)
    assert names["A"] == ("oci.x.a", "A") and mappings["x_type_mapping"]["B"] == ("oci.x.b", "B")


def test_a_lazy_type_mapping_resolves_on_lookup_and_merges_lazily():
    table = sdk.LazyTypeMapping({"Path": ("pathlib", "Path")})
    merged = sdk.merge_type_mappings({"int": int}, table)
    assert "Path" in merged and "Nothing" not in merged
    assert merged["Path"].__name__ == "Path" and merged["int"] is int
    with pytest.raises(KeyError):
        merged["Nothing"]


def test_a_lazy_type_mapping_answers_get_as_a_dict_does():
    table = sdk.LazyTypeMapping({"Path": ("pathlib", "Path")})
    assert table.get("Path").__name__ == "Path"
    assert table.get("Nothing") is None and table.get("Nothing", int) is int


def test_importing_the_function_package_leaves_oci_as_the_sdk_ships_it():
    # The operator tools import the package: `oci` must stay whole for them (oci.signer, oci.config).
    found = _fresh_process(
        """
        import json
        import replicator.handler, replicator.gateways.clients
        from replicator.gateways import sdk
        import oci
        print(json.dumps({"status": sdk.status, "signer": hasattr(oci, "signer"), "config": hasattr(oci, "config")}))
        """
    )
    assert found == {"status": "not installed", "signer": True, "config": True}
