# ----- the Events rules: one per file of events/rules/, each invoking the function ---------------

locals {
  rules_dir = "${path.module}/../../../events/rules"
  # The same files the router and the tests read, filled in exactly as the local sandbox
  # fills them in. A rule sees events of its own compartment's subtree only, so the rules
  # live in events_compartment_id (the tenancy by default) and filter on data.compartmentId.
  rule_files = {
    for file in fileset(local.rules_dir, "*.json") :
    trimsuffix(file, ".json") => jsondecode(templatefile("${local.rules_dir}/${file}", {
      landing_bucket         = var.settings.landing_bucket
      staging_bucket         = var.settings.staging_bucket
      object_prefix          = var.settings.object_prefix
      image_compartment_ids  = jsonencode(var.image_compartment_ids)
      bucket_compartment_ids = jsonencode([var.buckets_compartment_id])
      drill_compartment_ids  = jsonencode(local.drills ? [var.drill_compartment_id] : [])
    }))
  }
  # A rule that needs drills exists only where they are on.
  rules = { for name, rule in local.rule_files : name => rule if try(rule.needs, "") != "drills" || local.drills }
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
