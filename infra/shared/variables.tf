# The variables both roots read (home/ and region/ each link to this file): what the home root
# needs, which every region needs too. Give them in one tfvars file (examples/common.tfvars)
# to every apply; what the region root alone reads is in region/variables.tf.

variable "tenancy_ocid" {
  description = "The tenancy OCID."
  type        = string
}

variable "home_region" {
  description = "The tenancy's home region, where IAM resources are created."
  type        = string
}

variable "regions" {
  description = "Every participating region (two or more): the home root grants Object Storage's copies in each; the region root is applied once per region of this list."
  type        = list(string)
  validation {
    condition     = length(var.regions) >= 2 && length(distinct(var.regions)) == length(var.regions)
    error_message = "List two or more distinct regions."
  }
}

variable "dynamic_group_name" {
  description = "Name of the dynamic group of the replicator's functions (every function in functions_compartment_ocid)."
  type        = string
  default     = "image-replicator-functions"
}

variable "functions_compartment_ocid" {
  description = "Compartment of the function applications, functions, schedules and topics (and, with create_network, the network). Keep it for the replicator alone: the dynamic group holds every function in it, and the functions may publish to every topic in it."
  type        = string
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

variable "signing_key" {
  description = "The key that signs and checks what crosses regions (manifests, answers): at least 32 random characters, the same for every region (e.g. openssl rand -base64 48). Stored as a Vault secret in each region; Terraform's state holds it too: keep the state private."
  type        = string
  sensitive   = true
  validation {
    condition     = length(var.signing_key) >= 32
    error_message = "signing_key must be at least 32 characters."
  }
}

variable "vault_ids" {
  description = "Per region, an existing Vault (and vault_key_ids its key) for the signing secret; absent regions get a DEFAULT vault and a software key made here."
  type        = map(string)
  default     = {}
}

variable "vault_key_ids" {
  description = "Per region, the key of vault_ids' vault that encrypts the signing secret."
  type        = map(string)
  default     = {}

  # A secret in an existing vault needs that vault's key; without it the provider fails late,
  # on the secret's missing key_id, after the region's other resources were planned.
  validation {
    condition     = alltrue([for region in keys(var.vault_ids) : contains(keys(var.vault_key_ids), region)])
    error_message = "Every region of vault_ids needs its key in vault_key_ids (the key of that vault that encrypts the signing secret)."
  }
}

variable "kms_key_ids" {
  description = "Per region, an optional Vault key OCID to encrypt the buckets with; absent regions use Oracle-managed keys."
  type        = map(string)
  default     = {}
}

variable "reconcile_schedule" {
  description = "Cron expression of the reconcile pass (Resource Scheduler CRON recurrence, UTC): five fields, minute hour day month weekday."
  type        = string
  default     = "0 * * * *"
  validation {
    condition     = length(split(" ", trimspace(var.reconcile_schedule))) == 5
    error_message = "reconcile_schedule is a five-field cron expression, such as \"0 * * * *\" (hourly)."
  }
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

variable "retention" {
  description = "Let retention delete replicas beyond a family's kept versions (keep_versions, or a source's replicate-keep tag); false: families are marked, never pruned, and the functions get no DeleteImage grant unless on_source_deleted is delete."
  type        = bool
  default     = true
}

variable "keep_versions" {
  description = "Versions of each image family every target region keeps (null: all); a source's replicate-keep tag overrides it per family."
  type        = number
  default     = null
  validation {
    condition     = var.keep_versions == null ? true : (var.keep_versions >= 1 && var.keep_versions <= 1000 && floor(var.keep_versions) == var.keep_versions)
    error_message = "keep_versions is a whole number from 1 to 1000, or null to keep every version."
  }
}

variable "min_age_hours" {
  description = "Retention never deletes a replica younger than this."
  type        = number
  default     = 24
  validation {
    condition     = var.min_age_hours >= 0 && var.min_age_hours <= 8760
    error_message = "min_age_hours is from 0 to 8760."
  }
}

variable "image_limit" {
  description = "Custom images a target region may hold: OCI's service limit (100 with Universal Credits, 25 Pay As You Go, or what the tenancy raised it to)."
  type        = number
  default     = 100
  validation {
    condition     = var.image_limit >= 1 && floor(var.image_limit) == var.image_limit
    error_message = "image_limit is a whole number from 1."
  }
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
    # The intervals MQL accepts: 1m to 60m, 1h to 24h, or 1d.
    condition     = can(regex("^(([1-9]|[1-5][0-9]|60)m|([1-9]|1[0-9]|2[0-4])h|1d)$", var.alarm_window))
    error_message = "alarm_window is an MQL interval: 1m to 60m, 1h to 24h, or 1d."
  }
}

variable "peers" {
  description = "Other tenancies this deployment exchanges images with, by this deployment's alias for each (a target there is <alias>:<region>). role: target (a DR tenancy this one replicates to), source (a tenancy that replicates here) or both. Each side names the other, with the other's dynamic group (its output dynamic_group_id) and participating regions."
  type = map(object({
    tenancy_ocid       = string
    namespace          = string
    dynamic_group_ocid = string
    regions            = list(string)
    role               = string
  }))
  default = {}
  validation {
    condition     = alltrue([for alias, peer in var.peers : can(regex("^[a-z][a-z0-9-]{0,30}$", alias)) && contains(["target", "source", "both"], peer.role)])
    error_message = "Each peer's alias is a-z, 0-9 and - (starting with a letter, at most 31), and its role is target, source or both."
  }
  validation {
    condition     = alltrue([for peer in var.peers : startswith(peer.tenancy_ocid, "ocid1.tenancy.") && startswith(peer.dynamic_group_ocid, "ocid1.dynamicgroup.") && length(peer.regions) > 0])
    error_message = "Each peer names its tenancy OCID, its functions' dynamic group OCID and at least one region."
  }
  validation {
    # A source's compartment is in its own tenancy: the replicas of another's need one here.
    condition     = var.target_compartment_ocid != null || alltrue([for peer in var.peers : peer.role == "target"])
    error_message = "A peer with role source or both needs target_compartment_ocid (where its replicas go)."
  }
}

variable "peer_signing_keys" {
  description = "Per peer alias, the key the two tenancies share to sign and check what they exchange: at least 32 random characters, the same value in both deployments (each stores it in its own Vault)."
  type        = map(string)
  default     = {}
  sensitive   = true
  validation {
    condition     = alltrue([for alias in keys(var.peers) : length(lookup(var.peer_signing_keys, alias, "")) >= 32])
    error_message = "Every peer needs a key of at least 32 characters in peer_signing_keys."
  }
}

variable "drills_enabled" {
  description = "DR drills (each region's drills.* settings say how often): the home root makes a compartment image-replicator-drills under functions_compartment_ocid for them, unless drill_compartment_ocid names one."
  type        = bool
  default     = false
}

variable "drill_compartment_ocid" {
  description = "An existing compartment for DR drills instead of the one drills_enabled makes (it turns drills on too). Keep it for drills alone: the functions may manage every instance in it."
  type        = string
  default     = null
}
