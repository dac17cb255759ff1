"""Key Management and Vault's secrets through the real SDK, as infra/'s signing.tf makes them: a vault,
a key at the vault's own endpoint, a secret in both; then read by the data plane, rotated, deleted."""

import base64

import oci
import pytest

from support import SOURCE

NO_RETRY = oci.retry.NoneRetryStrategy()


def _vault_and_key(cloud, compartment):
    kms = oci.key_management.KmsVaultClient(cloud.config(SOURCE), retry_strategy=NO_RETRY)
    vault = kms.create_vault(
        oci.key_management.models.CreateVaultDetails(
            compartment_id=compartment, display_name="signing", vault_type="DEFAULT"
        )
    ).data
    assert vault.lifecycle_state == "CREATING"
    cloud.advance(60)
    vault = kms.get_vault(vault.id).data
    assert vault.lifecycle_state == "ACTIVE"
    keys = oci.key_management.KmsManagementClient(
        cloud.config(SOURCE), service_endpoint=vault.management_endpoint, retry_strategy=NO_RETRY
    )
    key = keys.create_key(
        oci.key_management.models.CreateKeyDetails(
            compartment_id=compartment,
            display_name="signing",
            protection_mode="SOFTWARE",
            key_shape=oci.key_management.models.KeyShape(algorithm="AES", length=32),
        )
    ).data
    return kms, keys, vault, key


def _secret_details(compartment, vault, key, content=b"k" * 32, name="image-replicator-signing-key"):
    return oci.vault.models.CreateSecretDetails(
        compartment_id=compartment,
        vault_id=vault.id,
        key_id=key.id,
        secret_name=name,
        secret_content=oci.vault.models.Base64SecretContentDetails(
            content_type="BASE64", content=base64.b64encode(content).decode()
        ),
    )


def test_a_secret_made_in_a_vault_with_its_key_is_read_rotated_and_deleted(cloud, compartment):
    _, keys, vault, key = _vault_and_key(cloud, compartment)
    cloud.advance(10)
    assert keys.get_key(key.id).data.lifecycle_state == "ENABLED"
    vaults = oci.vault.VaultsClient(cloud.config(SOURCE), retry_strategy=NO_RETRY)
    secret = vaults.create_secret(_secret_details(compartment, vault, key)).data
    cloud.advance(10)
    assert vaults.get_secret(secret.id).data.lifecycle_state == "ACTIVE"
    bundles = oci.secrets.SecretsClient(cloud.config(SOURCE), retry_strategy=NO_RETRY)
    read = bundles.get_secret_bundle(secret.id).data.secret_bundle_content.content
    assert base64.b64decode(read) == b"k" * 32
    vaults.update_secret(
        secret.id,
        oci.vault.models.UpdateSecretDetails(
            secret_content=oci.vault.models.Base64SecretContentDetails(
                content_type="BASE64", content=base64.b64encode(b"n" * 32).decode()
            )
        ),
    )
    bundle = bundles.get_secret_bundle(secret.id).data
    assert (bundle.version_number, base64.b64decode(bundle.secret_bundle_content.content)) == (2, b"n" * 32)
    assert [s.id for s in vaults.list_secrets(compartment, vault_id=vault.id).data] == [secret.id]
    vaults.schedule_secret_deletion(secret.id, oci.vault.models.ScheduleSecretDeletionDetails())
    assert vaults.get_secret(secret.id).data.lifecycle_state == "PENDING_DELETION"


def test_a_secret_is_refused_with_a_key_not_yet_enabled_a_name_taken_or_content_not_base64(cloud, compartment):
    _, _, vault, key = _vault_and_key(cloud, compartment)
    vaults = oci.vault.VaultsClient(cloud.config(SOURCE), retry_strategy=NO_RETRY)
    with pytest.raises(oci.exceptions.ServiceError) as early:
        vaults.create_secret(_secret_details(compartment, vault, key))
    assert early.value.status == 400  # the key is still CREATING
    cloud.advance(10)
    vaults.create_secret(_secret_details(compartment, vault, key))
    with pytest.raises(oci.exceptions.ServiceError) as taken:
        vaults.create_secret(_secret_details(compartment, vault, key))
    assert taken.value.status == 409
    bad = _secret_details(compartment, vault, key, name="other")
    bad.secret_content.content = "not base64!"
    with pytest.raises(oci.exceptions.ServiceError) as refused:
        vaults.create_secret(bad)
    assert refused.value.status == 400


def test_a_key_is_made_only_at_an_active_vaults_endpoint_and_deletions_are_scheduled(cloud, compartment):
    kms, keys, vault, key = _vault_and_key(cloud, compartment)
    keys.schedule_key_deletion(key.id, oci.key_management.models.ScheduleKeyDeletionDetails())
    assert keys.get_key(key.id).data.lifecycle_state == "PENDING_DELETION"
    kms.schedule_vault_deletion(vault.id, oci.key_management.models.ScheduleVaultDeletionDetails())
    assert kms.get_vault(vault.id).data.lifecycle_state == "PENDING_DELETION"
    young = kms.create_vault(
        oci.key_management.models.CreateVaultDetails(
            compartment_id=compartment, display_name="new", vault_type="DEFAULT"
        )
    ).data
    early = oci.key_management.KmsManagementClient(
        cloud.config(SOURCE), service_endpoint=young.management_endpoint, retry_strategy=NO_RETRY
    )
    with pytest.raises(oci.exceptions.ServiceError) as refused:
        early.create_key(
            oci.key_management.models.CreateKeyDetails(
                compartment_id=compartment,
                display_name="k",
                key_shape=oci.key_management.models.KeyShape(algorithm="AES", length=32),
            )
        )
    assert refused.value.status == 409
