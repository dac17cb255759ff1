variable "region" {
  description = "The region this module deploys into (its provider's region)."
  type        = string
}

variable "functions_compartment_id" {
  description = "Compartment of the application, function, schedule and (with create_network) the network."
  type        = string
}

variable "events_compartment_id" {
  description = "Compartment of the Events rules: one that contains the images' and the buckets' compartments."
  type        = string
}

variable "image_compartment_ids" {
  description = "Compartments of the source images and the replicas: what the image rules filter on."
  type        = list(string)
}

variable "buckets_compartment_id" {
  description = "Compartment of the staging and landing buckets."
  type        = string
}

variable "create_network" {
  description = "Create a VCN with a private subnet whose only way out is a service gateway (no NAT)."
  type        = bool
  default     = false
}

variable "vcn_cidr" {
  description = "CIDR of the VCN made with create_network."
  type        = string
  default     = "10.70.0.0/16"
}

variable "subnet_id" {
  description = "Subnet of the function application, when create_network is false."
  type        = string
  default     = null
}

variable "function_image" {
  description = "The function image in this region's Container Registry."
  type        = string
}

variable "kms_key_id" {
  description = "Optional Vault key for the buckets; null uses Oracle-managed keys."
  type        = string
  default     = null
}

variable "signing_key" {
  description = "The deployment's signing key (the same in every region)."
  type        = string
  sensitive   = true
}

variable "peer_aliases" {
  description = "The other tenancies this deployment exchanges images with (var.peers' aliases)."
  type        = list(string)
  default     = []
}

variable "peer_signing_keys" {
  description = "Per peer alias, the key shared with that tenancy."
  type        = map(string)
  default     = {}
  sensitive   = true
}

variable "vault_id" {
  description = "An existing Vault for the signing secret; null makes one (DEFAULT) with a software key."
  type        = string
  default     = null
}

variable "vault_key_id" {
  description = "The key of vault_id that encrypts the signing secret (with vault_id)."
  type        = string
  default     = null
}

variable "drill_compartment_id" {
  description = "Compartment where DR drills launch replicas; null: no drills in this region."
  type        = string
  default     = null
}

variable "drill_subnet_id" {
  description = "Private subnet of the drills' instances; null makes one in the VCN of create_network."
  type        = string
  default     = null
}

variable "function_config" {
  description = "The function's IR_* configuration."
  type        = map(string)
}

variable "settings" {
  description = "Bucket names, object prefix, retention, schedule (cron), memory, logging and monitoring settings shared by every region."
  type = object({
    staging_bucket              = string
    landing_bucket              = string
    object_prefix               = string
    intermediate_retention_days = number
    reconcile_schedule          = string
    drill_schedule              = string
    memory_mb                   = number
    log_retention_days          = number
    notification_email          = string
    metrics_namespace           = string
    metrics_compartment_id      = string
    rpo_hours                   = number
    alarm_window                = string
  })
}
