# ----- DR drills (optional): where a replica is launched to prove it boots -----------------------
# Only with var.drill_compartment_id. The drill subnet is private and closed: no public IP, no
# route anywhere, no security rule in or out; an instance there boots and prints to its serial
# console, which is all a drill reads. Without var.drill_subnet_id it is made in the VCN of
# create_network, in the drill compartment.

locals {
  drills            = var.drill_compartment_id != null
  make_drill_subnet = local.drills && var.drill_subnet_id == null
  drill_subnet_id   = local.make_drill_subnet ? oci_core_subnet.drills[0].id : var.drill_subnet_id
  drill_config = local.drills ? {
    IR_DRILL_COMPARTMENT_ID      = var.drill_compartment_id
    IR_DRILL_SUBNET_ID           = local.drill_subnet_id
    IR_DRILL_AVAILABILITY_DOMAIN = data.oci_identity_availability_domains.drills[0].availability_domains[0].name
  } : {}
}

check "a_drill_subnet" {
  assert {
    condition     = !local.drills || var.drill_subnet_id != null || var.create_network
    error_message = "Drills need a subnet: give drill_subnet_ids for this region, or set create_network = true."
  }
}

data "oci_identity_availability_domains" "drills" {
  count          = local.drills ? 1 : 0
  compartment_id = var.drill_compartment_id
}

resource "oci_core_route_table" "drills" {
  count          = local.make_drill_subnet ? 1 : 0
  compartment_id = var.drill_compartment_id
  vcn_id         = oci_core_vcn.functions[0].id
  display_name   = "image-replicator-drills"
}

resource "oci_core_security_list" "drills" {
  count          = local.make_drill_subnet ? 1 : 0
  compartment_id = var.drill_compartment_id
  vcn_id         = oci_core_vcn.functions[0].id
  display_name   = "image-replicator-drills"
  # Nothing comes in but ICMP "fragmentation needed" from within the VCN (path MTU discovery, as
  # OCI's default list allows); nothing goes out.
  ingress_security_rules {
    description = "Path MTU discovery, from within the VCN only"
    protocol    = "1"
    source      = var.vcn_cidr
    icmp_options {
      type = 3
      code = 4
    }
  }
}

resource "oci_core_subnet" "drills" {
  count                      = local.make_drill_subnet ? 1 : 0
  compartment_id             = var.drill_compartment_id
  vcn_id                     = oci_core_vcn.functions[0].id
  cidr_block                 = cidrsubnet(var.vcn_cidr, 8, 1)
  display_name               = "image-replicator-drills"
  prohibit_public_ip_on_vnic = true
  prohibit_internet_ingress  = true
  route_table_id             = oci_core_route_table.drills[0].id
  security_list_ids          = [oci_core_security_list.drills[0].id]
}

# The drill tick: drills under way move on every few minutes, between the reconcile passes.
resource "oci_resource_scheduler_schedule" "drills" {
  count              = local.drills ? 1 : 0
  compartment_id     = var.functions_compartment_id
  display_name       = "image-replicator-drills-${var.region}"
  description        = "Moves this region's DR drills on: reads each drill instance's console, and terminates it."
  action             = "START_RESOURCE"
  recurrence_type    = "CRON"
  recurrence_details = var.settings.drill_schedule

  resources {
    id = oci_functions_function.this.id
    parameters {
      parameter_type = "BODY"
      value          = [jsonencode({ action = "drills" })]
    }
  }
}
