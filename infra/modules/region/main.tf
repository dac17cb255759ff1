# Everything the replicator needs in one region: two private buckets, the function (on a
# private subnet that reaches Oracle services through a service gateway only), the Events
# rules read from events/rules/, the schedule of the reconcile pass, the function's invoke
# log, a Notifications topic, and the alarms read from monitoring/alarms/.

locals {
  rules_dir = "${path.module}/../../../events/rules"
  # The same files the router and the tests read, filled in exactly as the local sandbox
  # fills them in. A rule sees events of its own compartment's subtree only, so the rules
  # live in events_compartment_id (the tenancy by default) and filter on data.compartmentId.
  rules = {
    for file in fileset(local.rules_dir, "*.json") :
    trimsuffix(file, ".json") => jsondecode(templatefile("${local.rules_dir}/${file}", {
      landing_bucket         = var.settings.landing_bucket
      staging_bucket         = var.settings.staging_bucket
      object_prefix          = var.settings.object_prefix
      image_compartment_ids  = jsonencode(var.image_compartment_ids)
      bucket_compartment_ids = jsonencode([var.buckets_compartment_id])
    }))
  }
  # The same files the local sandbox reads, filled in the same way; the tests check every
  # query against the metric names the function emits.
  alarms_dir = "${path.module}/../../../monitoring/alarms"
  alarms = {
    for file in fileset(local.alarms_dir, "*.json") :
    trimsuffix(file, ".json") => jsondecode(templatefile("${local.alarms_dir}/${file}", {
      window      = var.settings.alarm_window
      rpo_seconds = floor(var.settings.rpo_hours * 3600)
      rpo_hours   = var.settings.rpo_hours
    }))
  }
  buckets = {
    staging = var.settings.staging_bucket
    landing = var.settings.landing_bucket
  }
  subnet_id = var.create_network ? oci_core_subnet.functions[0].id : var.subnet_id
}

data "oci_objectstorage_namespace" "this" {
  compartment_id = var.buckets_compartment_id
}

resource "oci_objectstorage_bucket" "this" {
  # checkov:skip=CKV_OCI_8: versioning would keep every deleted multi-gigabyte export as a previous version; these buckets hold only transient copies and the records, which are rewritten with etag conditions
  # checkov:skip=CKV_OCI_9: encryption uses Oracle-managed keys unless kms_key_ids names a Vault key for the region
  for_each              = local.buckets
  compartment_id        = var.buckets_compartment_id
  namespace             = data.oci_objectstorage_namespace.this.namespace
  name                  = each.value
  access_type           = "NoPublicAccess"
  object_events_enabled = true
  versioning            = "Disabled"
  storage_tier          = "Standard"
  kms_key_id            = var.kms_key_id
  freeform_tags         = { "managed-by" = "image-replicator" }
}

resource "oci_objectstorage_object_lifecycle_policy" "this" {
  for_each  = local.buckets
  namespace = data.oci_objectstorage_namespace.this.namespace
  bucket    = oci_objectstorage_bucket.this[each.key].name

  rules {
    name        = "expire-intermediate-objects"
    action      = "DELETE"
    target      = "objects"
    time_amount = var.settings.intermediate_retention_days
    time_unit   = "DAYS"
    is_enabled  = true
    object_name_filter {
      # Exported images and manifests only: records and answers are kept for people to read.
      inclusion_prefixes = ["${var.settings.object_prefix}images/", "${var.settings.object_prefix}manifests/"]
    }
  }
}

# ----- network (optional): a private subnet whose only way out is a service gateway ---------------
# A service gateway reaches Oracle services in its own region only, and the function never
# calls another region (copies between regions are Object Storage's own, server-side), so no
# NAT gateway and no internet egress are needed.

data "oci_core_services" "all" {
  count = var.create_network ? 1 : 0
  filter {
    name   = "name"
    values = ["All .* Services In Oracle Services Network"]
    regex  = true
  }
}

resource "oci_core_vcn" "functions" {
  count          = var.create_network ? 1 : 0
  compartment_id = var.functions_compartment_id
  cidr_blocks    = [var.vcn_cidr]
  display_name   = "image-replicator"
  dns_label      = "replicator"
  freeform_tags  = { "managed-by" = "image-replicator" }
}

resource "oci_core_service_gateway" "oracle_services" {
  count          = var.create_network ? 1 : 0
  compartment_id = var.functions_compartment_id
  vcn_id         = oci_core_vcn.functions[0].id
  display_name   = "image-replicator-oracle-services"
  services {
    service_id = data.oci_core_services.all[0].services[0].id
  }
}

resource "oci_core_route_table" "private" {
  count          = var.create_network ? 1 : 0
  compartment_id = var.functions_compartment_id
  vcn_id         = oci_core_vcn.functions[0].id
  display_name   = "image-replicator-private"
  route_rules {
    destination       = data.oci_core_services.all[0].services[0].cidr_block
    destination_type  = "SERVICE_CIDR_BLOCK"
    network_entity_id = oci_core_service_gateway.oracle_services[0].id
  }
}

resource "oci_core_security_list" "private" {
  count          = var.create_network ? 1 : 0
  compartment_id = var.functions_compartment_id
  vcn_id         = oci_core_vcn.functions[0].id
  display_name   = "image-replicator-private"
  egress_security_rules {
    description      = "HTTPS to Oracle services in this region, through the service gateway"
    destination      = data.oci_core_services.all[0].services[0].cidr_block
    destination_type = "SERVICE_CIDR_BLOCK"
    protocol         = "6"
    tcp_options {
      min = 443
      max = 443
    }
  }
}

resource "oci_core_subnet" "functions" {
  count                      = var.create_network ? 1 : 0
  compartment_id             = var.functions_compartment_id
  vcn_id                     = oci_core_vcn.functions[0].id
  cidr_block                 = cidrsubnet(var.vcn_cidr, 8, 0)
  display_name               = "image-replicator-functions"
  dns_label                  = "functions"
  prohibit_public_ip_on_vnic = true
  route_table_id             = oci_core_route_table.private[0].id
  security_list_ids          = [oci_core_security_list.private[0].id]
}

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

# ----- the function -----------------------------------------------------------------------------

resource "oci_functions_application" "this" {
  compartment_id = var.functions_compartment_id
  display_name   = "image-replicator"
  subnet_ids     = [local.subnet_id]
  shape          = "GENERIC_X86"
  freeform_tags  = { "managed-by" = "image-replicator" }
}

resource "oci_functions_function" "this" {
  application_id     = oci_functions_application.this.id
  display_name       = "image-replicator"
  image              = var.function_image
  memory_in_mbs      = var.settings.memory_mb
  timeout_in_seconds = 300
  config = merge(var.function_config, {
    IR_NAMESPACE             = data.oci_objectstorage_namespace.this.namespace
    IR_NOTIFICATION_TOPIC_ID = oci_ons_notification_topic.this.id
    IR_SIGNING_SECRET_ID     = oci_vault_secret.signing_key.id
    IR_PEER_SECRET_IDS       = join(",", [for alias in var.peer_aliases : "${alias}=${oci_vault_secret.peer[alias].id}"])
  })
  freeform_tags = { "managed-by" = "image-replicator" }
}

resource "oci_events_rule" "this" {
  for_each       = local.rules
  compartment_id = var.events_compartment_id
  display_name   = "${each.value.displayName}-${var.region}"
  description    = each.value.description
  condition      = jsonencode(each.value.condition)
  is_enabled     = true

  actions {
    action {
      action_type = "FAAS"
      is_enabled  = true
      function_id = oci_functions_function.this.id
      description = "image-replicator ${each.key}"
    }
  }
}

# The reconcile pass: Resource Scheduler invokes the function with {"action": "reconcile"}.
resource "oci_resource_scheduler_schedule" "reconcile" {
  compartment_id     = var.functions_compartment_id
  display_name       = "image-replicator-reconcile-${var.region}"
  description        = "Converges this region's part of every image replication, even when events were lost."
  action             = "START_RESOURCE"
  recurrence_type    = "CRON"
  recurrence_details = var.settings.reconcile_schedule

  resources {
    id = oci_functions_function.this.id
    parameters {
      parameter_type = "BODY"
      # The provider takes a list of one JSON string here.
      value = [jsonencode({ action = "reconcile" })]
    }
  }
}

# ----- notices, logs and alarms --------------------------------------------------------------------
# Topics are regional and the function calls its own region only: each region has its own,
# for the function's notices and the region's alarms alike. Topic names are tenancy-wide.

resource "oci_ons_notification_topic" "this" {
  compartment_id = var.functions_compartment_id
  name           = "image-replicator-${var.region}"
  description    = "image-replicator notices and alarms for ${var.region}"
  freeform_tags  = { "managed-by" = "image-replicator" }
}

resource "oci_ons_subscription" "email" {
  count          = var.settings.notification_email == null ? 0 : 1
  compartment_id = var.functions_compartment_id
  topic_id       = oci_ons_notification_topic.this.id
  protocol       = "EMAIL"
  endpoint       = var.settings.notification_email
}

# Without a log, OCI keeps nothing the function writes: its JSON lines land here.
resource "oci_logging_log_group" "this" {
  compartment_id = var.functions_compartment_id
  display_name   = "image-replicator-${var.region}"
  description    = "image-replicator function logs"
  freeform_tags  = { "managed-by" = "image-replicator" }
}

resource "oci_logging_log" "invoke" {
  display_name       = "image-replicator-invoke"
  log_group_id       = oci_logging_log_group.this.id
  log_type           = "SERVICE"
  is_enabled         = true
  retention_duration = var.settings.log_retention_days

  configuration {
    compartment_id = var.functions_compartment_id
    source {
      category    = "invoke"
      resource    = oci_functions_application.this.id
      service     = "functions"
      source_type = "OCISERVICE"
    }
  }
}

resource "oci_monitoring_alarm" "this" {
  for_each                                      = local.alarms
  compartment_id                                = var.functions_compartment_id
  display_name                                  = "${each.value.displayName}-${var.region}"
  destinations                                  = [oci_ons_notification_topic.this.id]
  is_enabled                                    = true
  metric_compartment_id                         = var.settings.metrics_compartment_id
  namespace                                     = var.settings.metrics_namespace
  query                                         = each.value.query
  severity                                      = each.value.severity
  body                                          = each.value.body
  pending_duration                              = each.value.pendingDuration
  message_format                                = "ONS_OPTIMIZED"
  is_notifications_per_metric_dimension_enabled = true
  repeat_notification_duration                  = "PT4H"
  freeform_tags                                 = { "managed-by" = "image-replicator" }
}
