# Everything the replicator needs in one region: two private buckets, the function (on a
# private subnet that reaches Oracle services through a service gateway only), the Events
# rules read from events/rules/, and the schedule of the reconcile pass.

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
    IR_NOTIFICATION_TOPIC_ID = var.notification_topic_id
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
    actions {
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
  recurrence_type    = "ICAL"
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
