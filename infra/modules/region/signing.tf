# ----- the signing key: a Vault secret the functions read from their own region ---------------------
# Manifests and answers cross regions as objects anyone with write access to a bucket could
# forge; they are signed with this key, which only the functions' dynamic group may read.

resource "oci_kms_vault" "this" {
  count          = var.vault_id == null ? 1 : 0
  compartment_id = var.functions_compartment_id
  display_name   = "image-replicator-${var.region}"
  vault_type     = "DEFAULT"
  freeform_tags  = { "managed-by" = "image-replicator" }
}

resource "oci_kms_key" "this" {
  count               = var.vault_id == null ? 1 : 0
  compartment_id      = var.functions_compartment_id
  display_name        = "image-replicator-signing"
  management_endpoint = oci_kms_vault.this[0].management_endpoint
  protection_mode     = "SOFTWARE"
  key_shape {
    algorithm = "AES"
    length    = 32
  }
  freeform_tags = { "managed-by" = "image-replicator" }
}

resource "oci_vault_secret" "signing_key" {
  compartment_id = var.functions_compartment_id
  vault_id       = var.vault_id == null ? oci_kms_vault.this[0].id : var.vault_id
  key_id         = var.vault_id == null ? oci_kms_key.this[0].id : var.vault_key_id
  secret_name    = "image-replicator-signing-key"
  description    = "The key image-replicator signs and checks manifests and answers with."
  secret_content {
    content_type = "BASE64"
    content      = base64encode(var.signing_key)
  }
  freeform_tags = { "managed-by" = "image-replicator" }
}

# One secret per other tenancy: the key both deployments hold for what they exchange.
resource "oci_vault_secret" "peer" {
  for_each       = toset(var.peer_aliases)
  compartment_id = var.functions_compartment_id
  vault_id       = var.vault_id == null ? oci_kms_vault.this[0].id : var.vault_id
  key_id         = var.vault_id == null ? oci_kms_key.this[0].id : var.vault_key_id
  secret_name    = "image-replicator-peer-${each.key}"
  description    = "The key image-replicator shares with the tenancy it calls ${each.key}."
  secret_content {
    content_type = "BASE64"
    content      = base64encode(var.peer_signing_keys[each.key])
  }
  freeform_tags = { "managed-by" = "image-replicator" }
}
