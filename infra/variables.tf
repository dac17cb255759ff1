variable "tenancy_ocid" {
  description = "The tenancy OCID."
  type        = string
}

variable "home_region" {
  description = "The tenancy's home region, where IAM resources are created."
  type        = string
}

variable "regions" {
  description = "The three participating regions, in the order of the provider aliases region_a, region_b, region_c (add an alias and a module block in main.tf for more)."
  type        = list(string)
  validation {
    condition     = length(var.regions) == 3 && length(distinct(var.regions)) == 3
    error_message = "List exactly three distinct regions, or edit main.tf to match the number of regions."
  }
}

check "a_subnet_per_region" {
  assert {
    condition     = var.create_network || alltrue([for r in var.regions : contains(keys(var.subnet_ids), r)])
    error_message = "Give subnet_ids for every region, or set create_network = true."
  }
}

variable "functions_compartment_ocid" {
  description = "Compartment of the function applications, functions and schedules (and, with create_network, the network)."
  type        = string
}

variable "events_compartment_ocid" {
  description = "Compartment of the Events rules. A rule sees only its own compartment's subtree, so this must contain the images' and the buckets' compartments; null means the tenancy. Conditions filter on data.compartmentId."
  type        = string
  default     = null
}

variable "images_compartment_ocids" {
  description = "Compartments whose custom images may be replicated (scanned by the reconcile pass; replicas land in the source image's compartment unless target_compartment_ocid is set)."
  type        = list(string)
}

variable "buckets_compartment_ocid" {
  description = "Compartment of the staging and landing buckets."
  type        = string
}

variable "target_compartment_ocid" {
  description = "Compartment for replicas; null keeps each replica in its source image's compartment."
  type        = string
  default     = null
}

variable "create_network" {
  description = "Create, per region, a VCN with a private subnet whose only way out is a service gateway to Oracle Services (no NAT gateway: the function never calls another region)."
  type        = bool
  default     = false
}

variable "vcn_cidrs" {
  description = "Per region, the CIDR of the VCN made with create_network (default 10.70.0.0/16, 10.71.0.0/16, 10.72.0.0/16)."
  type        = map(string)
  default     = {}
}

variable "subnet_ids" {
  description = "Per region, the subnet of the function application when create_network is false: a private subnet with a service gateway to Oracle Services is enough."
  type        = map(string)
  default     = {}
}

variable "function_images" {
  description = "Per region, the function image pushed to that region's Container Registry (region.ocir.io/namespace/repo:tag)."
  type        = map(string)
}

variable "default_regions" {
  description = "Regions a 'replicate-to = default' tag means."
  type        = list(string)
  default     = []
}

variable "allowed_regions" {
  description = "Regions replicas may go to; empty allows every participating region."
  type        = list(string)
  default     = []
}

variable "opt_in_defined_tag" {
  description = "Optional defined tag (Namespace.key) that opts an image in, besides the freeform 'replicate-to' tag."
  type        = string
  default     = ""
}

variable "staging_bucket" {
  description = "Name of the staging bucket (created in every region)."
  type        = string
  default     = "image-replicator-staging"
}

variable "landing_bucket" {
  description = "Name of the landing bucket (created in every region)."
  type        = string
  default     = "image-replicator-landing"
}

variable "object_prefix" {
  description = "Prefix of every object the replicator writes."
  type        = string
  default     = "image-replicator/"
}

variable "intermediate_retention_days" {
  description = "Days after which leftover exported images and manifests are deleted by the bucket lifecycle policy."
  type        = number
  default     = 7
}

variable "kms_key_ids" {
  description = "Per region, an optional Vault key OCID to encrypt the buckets with; absent regions use Oracle-managed keys."
  type        = map(string)
  default     = {}
}

variable "reconcile_schedule" {
  description = "iCalendar recurrence of the reconcile pass (Resource Scheduler ICAL recurrence)."
  type        = string
  default     = "FREQ=HOURLY;INTERVAL=1"
}

variable "on_source_deleted" {
  description = "What happens to replicas when their source image is deleted: keep or delete."
  type        = string
  default     = "keep"
  validation {
    condition     = contains(["keep", "delete"], var.on_source_deleted)
    error_message = "on_source_deleted must be keep or delete."
  }
}

variable "notification_email" {
  description = "Optional address subscribed (by email, after it confirms) to each region's topic of notices and alarms."
  type        = string
  default     = null
}

variable "log_retention_days" {
  description = "How long OCI Logging keeps the functions' invoke logs: 30 to 180 days, in steps of 30."
  type        = number
  default     = 30
  validation {
    condition     = contains([30, 60, 90, 120, 150, 180], var.log_retention_days)
    error_message = "log_retention_days must be 30, 60, 90, 120, 150 or 180."
  }
}

variable "metrics_namespace" {
  description = "OCI Monitoring namespace of the replication metrics (the function's IR_METRICS_NAMESPACE)."
  type        = string
  default     = "image_replicator"
  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9_]*$", var.metrics_namespace)) && !can(regex("^(?i)(oci_|oracle_)", var.metrics_namespace))
    error_message = "metrics_namespace starts with a letter, holds letters, digits and underscores, and does not start with oci_ or oracle_."
  }
}

variable "metrics_compartment_ocid" {
  description = "Compartment the metrics are posted to and the alarms read; null means functions_compartment_ocid."
  type        = string
  default     = null
}

variable "rpo_hours" {
  description = "Recovery point objective: the rpo-exceeded alarm fires when an image has lacked a current replica in a target region for longer."
  type        = number
  default     = 4
  validation {
    condition     = var.rpo_hours > 0
    error_message = "rpo_hours must be positive."
  }
}

variable "alarm_window" {
  description = "Interval of the alarm queries (MQL, e.g. 2h): at least twice the reconcile schedule's, since each pass reports the exposure once."
  type        = string
  default     = "2h"
  validation {
    condition     = can(regex("^[0-9]+[mh]$", var.alarm_window))
    error_message = "alarm_window is a number of minutes or hours, such as 90m or 2h."
  }
}

variable "function_memory_mb" {
  description = "Function memory (see the Performance section of README for the measured peak)."
  type        = number
  default     = 128
}
