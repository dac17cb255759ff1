output "dynamic_group_id" {
  description = "The dynamic group of the replicator's functions."
  value       = oci_identity_dynamic_group.replicator.id
}

output "policy_ids" {
  description = "Policy OCIDs by name."
  value       = { for name, policy in oci_identity_policy.this : name => policy.id }
}

output "statements" {
  description = "Every statement granted, by policy name (README's IAM table lists what each covers)."
  value       = { for name, policy in merge(local.policies, local.peer_policies) : name => policy.statements }
}

output "drill_compartment_ocid" {
  description = "Where DR drills run (null without drills)."
  value       = local.drill_compartment_ocid
}
