# Tenancy-wide IAM, created in the home region: a dynamic group of exactly the replicator
# functions, and the narrowest statements the pipeline's calls need (README lists each
# statement with the API calls it covers).

locals {
  regional     = [module.region_a, module.region_b, module.region_c]
  function_ids = [for m in local.regional : m.function_id]
  bucket_names = "any {target.bucket.name='${var.staging_bucket}', target.bucket.name='${var.landing_bucket}'}"
  dg           = "dynamic-group ${oci_identity_dynamic_group.replicator.name}"

  image_statements = flatten([
    for c in local.image_compartment_ids : [
      # GetImage, ListImages, ListImageShapeCompatibilityEntries
      "Allow ${local.dg} to read instance-images in compartment id ${c}",
      # ExportImage, CreateImage (import), UpdateImage (tags), Add/RemoveImageShapeCompatibilityEntry, and
      # DeleteImage only when replicas follow their deleted source
      "Allow ${local.dg} to manage instance-images in compartment id ${c} where any {request.operation='ExportImage', request.operation='CreateImage', request.operation='UpdateImage', request.operation='AddImageShapeCompatibilityEntry', request.operation='RemoveImageShapeCompatibilityEntry'${var.on_source_deleted == "delete" ? ", request.operation='DeleteImage'" : ""}}",
    ]
  ])

  bucket_statements = [
    # ListObjects, ListPreauthenticatedRequests on the two buckets only
    "Allow ${local.dg} to read buckets in compartment id ${var.buckets_compartment_ocid} where ${local.bucket_names}",
    # Get/Head/Put/Delete objects and CopyObject (exports, manifests, records, answers) in the two buckets only
    "Allow ${local.dg} to manage objects in compartment id ${var.buckets_compartment_ocid} where ${local.bucket_names}",
    # Create/DeletePreauthenticatedRequest: the short-lived export and import requests
    "Allow ${local.dg} to manage buckets in compartment id ${var.buckets_compartment_ocid} where all {${local.bucket_names}, request.permission='PAR_MANAGE'}",
    # Defined tags copied onto replicas (CreateImage, UpdateImage)
    "Allow ${local.dg} to use tag-namespaces in tenancy",
  ]

  notification_statements = [
    # PublishMessage to each region's own topic
    for m in local.regional : "Allow ${local.dg} to use ons-topics in compartment id ${var.functions_compartment_ocid} where target.ons-topic.id = '${m.topic_id}'"
  ]

  metrics_statements = [
    # PostMetricData, in the replicator's own metric namespace only
    "Allow ${local.dg} to use metrics in compartment id ${local.metrics_compartment_ocid} where target.metrics.namespace = '${var.metrics_namespace}'",
  ]

  invoke_statements = concat(
    [
      # Events invokes the function
      "Allow service cloudEvents to use functions-family in compartment id ${var.functions_compartment_ocid}",
    ],
    # Resource Scheduler invokes the reconcile pass
    [for m in local.regional : "Allow any-user to use fn-invocation in compartment id ${var.functions_compartment_ocid} where all {request.principal.type='resourceschedule', request.principal.id='${m.schedule_id}'}"],
  )

  # Object Storage's own permissions: copies between regions (each region's service copies
  # both ways), lifecycle rules, and keyed buckets. The buckets need these before they are
  # used, so they live in a policy of their own that the regional modules depend on.
  object_storage_statements = concat(
    [for r in var.regions : "Allow service objectstorage-${r} to manage object-family in compartment id ${var.buckets_compartment_ocid}"],
    [for r, key in var.kms_key_ids : "Allow service objectstorage-${r} to use keys in tenancy where target.key.id = '${key}'"],
  )
}

resource "oci_identity_policy" "object_storage_service" {
  provider       = oci.home
  compartment_id = var.tenancy_ocid
  name           = "image-replicator-object-storage"
  description    = "What Object Storage itself needs for the image-replicator buckets: cross-region copies, lifecycle rules, Vault keys."
  statements     = local.object_storage_statements
}

resource "oci_identity_dynamic_group" "replicator" {
  provider       = oci.home
  compartment_id = var.tenancy_ocid
  name           = "image-replicator-functions"
  description    = "The image-replicator functions, one per participating region."
  matching_rule  = "ANY {${join(", ", [for id in local.function_ids : "resource.id = '${id}'"])}}"
}

resource "oci_identity_policy" "replicator" {
  provider       = oci.home
  compartment_id = var.tenancy_ocid
  name           = "image-replicator"
  description    = "What the image-replicator functions, Events and Resource Scheduler need."
  statements     = concat(local.image_statements, local.bucket_statements, local.notification_statements, local.metrics_statements, local.invoke_statements)
}
