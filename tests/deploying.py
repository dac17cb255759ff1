"""Every resource infra/ declares, made with the SDK alone, in this process's fake or over the wire.

`deploy` makes, as Terraform's two roots make them: the home root's compartments, dynamic group
and policies; in each region the private network, a vault with its key and the signing secret,
the topic, both buckets with their lifecycle policy, the function's application and function
(its image pushed to the region's registry), its invoke log, the Events rules, the alarms, the
reconcile schedule and the region's policies. Policies, rules and alarms come from the same
files Terraform reads.
"""

import base64
import dataclasses
import json
import secrets
import ssl
import urllib.request

import oci

from ocifake.functions.control import FunctionsBackend
from replicator.api import ReplicatorConfig, make_handler
from replicator_tools.alarms import load_alarms
from replicator_tools.policies import Deployment, render
from replicator_tools.rules import load_rules
from replicator_tools.sandbox import RECONCILE_BODY, RECONCILE_SCHEDULE, intermediate_expiry

IMAGE = "ocir.{region}.oci.oraclecloud.com/tenancy/image-replicator:1"  # each region's registry
NO_RETRY = oci.retry.NoneRetryStrategy()


class InProcess:
    """The fake in this process: its SDK configs, its clock, its registries."""

    def __init__(self, cloud):
        self.cloud = cloud
        self.tenancy, self.namespace = cloud.tenancy_id, cloud.namespace

    def config(self, region: str) -> dict:
        return self.cloud.config(region)

    def advance(self, seconds: float) -> None:
        self.cloud.advance(seconds)

    def push_image(self, region: str, image: str) -> None:
        cloud = self.cloud
        cloud.require_region(region).backend(FunctionsBackend).push_image(
            image, lambda: make_handler(clock=cloud.clock.now)
        )


class OverTheWire:
    """`ocifake serve` in another process, reached through its proxy with its CA trusted; images were
    pushed when it started (`--image`)."""

    def __init__(self, ready: dict):
        self.ready, self.tenancy, self.namespace = ready, ready["tenancy"], ready["namespace"]
        self.first = ready["regions"][0]

    def config(self, region: str) -> dict:
        return oci.config.from_file(self.ready["config_file"], "DEFAULT" if region == self.first else region)

    def advance(self, seconds: float) -> None:
        context = ssl.create_default_context(cafile=self.ready["ca_bundle"])
        url = f"https://127.0.0.1:{self.ready['port']}/_ocifake/advance?seconds={seconds}"
        request = urllib.request.Request(url, method="POST", data=b"")
        opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=context)
        )
        with opener.open(request, timeout=600) as answer:
            answer.read()

    def push_image(self, region: str, image: str) -> None:
        pass  # pushed by `ocifake serve --image`


def _client(site, kind, region, **kwargs):
    return kind(site.config(region), retry_strategy=NO_RETRY, **kwargs)


def compartment(identity, tenancy, name):
    details = oci.identity.models.CreateCompartmentDetails(compartment_id=tenancy, name=name, description=name)
    return identity.create_compartment(details).data.id


def tagged_source(config: dict, namespace: str, images: str, regions: str):
    """An image imported through the API from an uploaded disk and tagged `replicate-to = regions`, as a
    cloud team makes one; the `uploads` bucket holds the disk."""
    objects = oci.object_storage.ObjectStorageClient(config)
    objects.create_bucket(
        namespace, oci.object_storage.models.CreateBucketDetails(name="uploads", compartment_id=images)
    )
    objects.put_object(namespace, "uploads", "web.qcow2", b"disk" * 1024)
    details = oci.core.models.CreateImageDetails(
        compartment_id=images,
        display_name="web",
        freeform_tags={"replicate-to": regions},
        image_source_details=oci.core.models.ImageSourceViaObjectStorageTupleDetails(
            bucket_name="uploads", namespace_name=namespace, object_name="web.qcow2", source_image_type="QCOW2"
        ),
    )
    return oci.core.ComputeClient(config).create_image(details).data


def _network(net, compartment):
    """network.tf: a private subnet whose only way out is a service gateway to Oracle's services."""
    (everything,) = [s for s in net.list_services().data if s.name.startswith("All ")]
    models = oci.core.models
    vcn = net.create_vcn(
        models.CreateVcnDetails(compartment_id=compartment, cidr_blocks=["10.0.0.0/16"], dns_label="replicator")
    ).data
    gateway = net.create_service_gateway(
        models.CreateServiceGatewayDetails(
            compartment_id=compartment,
            vcn_id=vcn.id,
            services=[models.ServiceIdRequestDetails(service_id=everything.id)],
        )
    ).data
    to_services = models.RouteRule(
        destination=everything.cidr_block, destination_type="SERVICE_CIDR_BLOCK", network_entity_id=gateway.id
    )
    routes = net.create_route_table(
        models.CreateRouteTableDetails(compartment_id=compartment, vcn_id=vcn.id, route_rules=[to_services])
    ).data
    https = models.EgressSecurityRule(
        destination=everything.cidr_block,
        destination_type="SERVICE_CIDR_BLOCK",
        protocol="6",
        tcp_options=models.TcpOptions(destination_port_range=models.PortRange(min=443, max=443)),
    )
    rules = net.create_security_list(
        models.CreateSecurityListDetails(compartment_id=compartment, vcn_id=vcn.id, egress_security_rules=[https])
    ).data
    return net.create_subnet(
        models.CreateSubnetDetails(
            compartment_id=compartment,
            vcn_id=vcn.id,
            cidr_block="10.0.0.0/24",
            dns_label="functions",
            prohibit_public_ip_on_vnic=True,
            route_table_id=routes.id,
            security_list_ids=[rules.id],
        )
    ).data


def _signing_secret(site, region, compartment, key):
    """signing.tf: a vault, its key, and the secret holding the deployment's signing key."""
    kms = _client(site, oci.key_management.KmsVaultClient, region)
    vault = kms.create_vault(
        oci.key_management.models.CreateVaultDetails(
            compartment_id=compartment, display_name=f"image-replicator-{region}", vault_type="DEFAULT"
        )
    ).data
    site.advance(60)  # a vault takes a while to become ACTIVE
    vault = kms.get_vault(vault.id).data
    keys = _client(site, oci.key_management.KmsManagementClient, region, service_endpoint=vault.management_endpoint)
    shape = oci.key_management.models.KeyShape(algorithm="AES", length=32)
    made = keys.create_key(
        oci.key_management.models.CreateKeyDetails(
            compartment_id=compartment,
            display_name="image-replicator-signing",
            protection_mode="SOFTWARE",
            key_shape=shape,
        )
    ).data
    site.advance(10)
    content = oci.vault.models.Base64SecretContentDetails(content_type="BASE64", content=base64.b64encode(key).decode())
    secret = (
        _client(site, oci.vault.VaultsClient, region)
        .create_secret(
            oci.vault.models.CreateSecretDetails(
                compartment_id=compartment,
                vault_id=vault.id,
                key_id=made.id,
                secret_name="image-replicator-signing-key",
                secret_content=content,
            )
        )
        .data
    )
    site.advance(10)
    return secret.id


def deploy(site, regions, images_compartment, env):
    """Both roots of infra/, through the SDK, at `site`: the function's OCID in each region."""
    tenancy = site.tenancy
    identity = _client(site, oci.identity.IdentityClient, regions[0])
    functions = compartment(identity, tenancy, "replicator-functions")
    buckets = compartment(identity, tenancy, "replicator-buckets")
    settings = {
        "IR_COMPARTMENTS": images_compartment,
        "IR_METRICS_COMPARTMENT_ID": functions,
        "IR_NAMESPACE": site.namespace,
        "IR_HTTP_TRUST_ENV": "false",  # in process, the containers share the test's environment
        **env,
    }
    config = ReplicatorConfig.from_env(settings)
    iam = Deployment(
        dynamic_group="image-replicator-functions",
        functions_compartment_id=functions,
        buckets_compartment_id=buckets,
        metrics_compartment_id=functions,
        metrics_namespace=config.metrics_namespace,
        staging_bucket=config.staging_bucket,
        landing_bucket=config.landing_bucket,
        regions=list(regions),
        image_compartment_ids=[images_compartment],
        kms_key_ids={},
    )
    grants = render(iam)
    identity.create_dynamic_group(
        oci.identity.models.CreateDynamicGroupDetails(
            compartment_id=tenancy,
            name=grants.dynamic_group_name,
            description=grants.dynamic_group_description,
            matching_rule=grants.matching_rule,
        )
    )

    def policies(scope, rendered):
        for policy in rendered.scope(scope):
            identity.create_policy(
                oci.identity.models.CreatePolicyDetails(
                    compartment_id=tenancy,
                    name=policy.name,
                    description=policy.description,
                    statements=[s.text for s in policy.statements],
                )
            )

    policies("home", grants)
    signing_key = secrets.token_bytes(32)
    deployed = {}
    for region in regions:
        subnet = _network(_client(site, oci.core.VirtualNetworkClient, region), functions)
        secret_id = _signing_secret(site, region, functions, signing_key)
        topic = (
            _client(site, oci.ons.NotificationControlPlaneClient, region)
            .create_topic(
                oci.ons.models.CreateTopicDetails(name=f"image-replicator-{region}", compartment_id=functions)
            )
            .data
        )
        objects = _client(site, oci.object_storage.ObjectStorageClient, region)
        expiry = intermediate_expiry(config.object_prefix)
        for bucket in (config.staging_bucket, config.landing_bucket):
            objects.create_bucket(
                site.namespace,
                oci.object_storage.models.CreateBucketDetails(
                    name=bucket, compartment_id=buckets, object_events_enabled=True
                ),
            )
            rule = oci.object_storage.models.ObjectLifecycleRule(
                name=expiry["name"],
                action="DELETE",
                target="objects",
                time_amount=expiry["timeAmount"],
                time_unit=expiry["timeUnit"],
                is_enabled=True,
                object_name_filter=oci.object_storage.models.ObjectNameFilter(
                    inclusion_prefixes=expiry["objectNameFilter"]["inclusionPrefixes"]
                ),
            )
            objects.put_object_lifecycle_policy(
                site.namespace, bucket, oci.object_storage.models.PutObjectLifecyclePolicyDetails(items=[rule])
            )
        image = IMAGE.format(region=region)
        site.push_image(region, image)
        fns = _client(site, oci.functions.FunctionsManagementClient, region)
        app = fns.create_application(
            oci.functions.models.CreateApplicationDetails(
                compartment_id=functions, display_name="image-replicator", subnet_ids=[subnet.id], shape="GENERIC_X86"
            )
        ).data
        fn = fns.create_function(
            oci.functions.models.CreateFunctionDetails(
                application_id=app.id,
                display_name="image-replicator",
                source_details=oci.functions.models.CreateContainerImageFunctionSourceDetails(image=image),
                memory_in_mbs=256,
                timeout_in_seconds=300,
                config={**settings, "IR_NOTIFICATION_TOPIC_ID": topic.topic_id, "IR_SIGNING_SECRET_ID": secret_id},
            )
        ).data
        deployed[region] = fn.id
        logging = _client(site, oci.logging.LoggingManagementClient, region)
        made = logging.create_log_group(
            oci.logging.models.CreateLogGroupDetails(
                compartment_id=functions, display_name=f"image-replicator-{region}"
            )
        )
        group_id = logging.get_work_request(made.headers["opc-work-request-id"]).data.resources[0].identifier
        source = oci.logging.models.OciService(
            source_type="OCISERVICE", service="functions", resource=app.id, category="invoke"
        )
        logging.create_log(
            group_id,
            oci.logging.models.CreateLogDetails(
                display_name="image-replicator-invoke",
                log_type="SERVICE",
                is_enabled=True,
                configuration=oci.logging.models.Configuration(compartment_id=functions, source=source),
            ),
        )
        events = _client(site, oci.events.EventsClient, region)
        for spec in load_rules(config, image_compartments=[images_compartment], bucket_compartments=[buckets]):
            events.create_rule(
                oci.events.models.CreateRuleDetails(
                    display_name=f"{spec.display_name}-{region}",
                    compartment_id=tenancy,
                    condition=json.dumps(spec.condition),
                    is_enabled=True,
                    actions=oci.events.models.ActionDetailsList(
                        actions=[oci.events.models.CreateFaaSActionDetails(is_enabled=True, function_id=fn.id)]
                    ),
                )
            )
        monitoring = _client(site, oci.monitoring.MonitoringClient, region)
        for alarm in load_alarms(function_id=fn.id):
            monitoring.create_alarm(
                oci.monitoring.models.CreateAlarmDetails(
                    display_name=f"{alarm.display_name}-{region}",
                    compartment_id=functions,
                    metric_compartment_id=functions,
                    namespace=alarm.namespace or config.metrics_namespace,
                    query=alarm.query,
                    severity=alarm.severity,
                    destinations=[topic.topic_id],
                    is_enabled=True,
                    body=alarm.body,
                    pending_duration=alarm.pending_duration,
                    repeat_notification_duration="PT4H",
                    message_format="ONS_OPTIMIZED",
                    is_notifications_per_metric_dimension_enabled=True,
                )
            )
        schedule = (
            _client(site, oci.resource_scheduler.ScheduleClient, region)
            .create_schedule(
                {
                    "compartmentId": functions,
                    "displayName": f"image-replicator-reconcile-{region}",
                    "action": "START_RESOURCE",
                    "recurrenceType": "CRON",
                    "recurrenceDetails": RECONCILE_SCHEDULE,
                    "resources": [{"id": fn.id, "parameters": [{"parameterType": "BODY", "value": RECONCILE_BODY}]}],
                }
            )
            .data
        )
        policies("region", render(dataclasses.replace(iam, region=region, schedule_id=schedule.id)))
    return deployed
