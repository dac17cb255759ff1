"""IAM through the real SDK: policies OCI refuses are refused, and every request is decided."""

import oci
import pytest

from ocifake import FakeCloud
from support import PHOENIX, REGIONS, SOURCE

NO_RETRY = oci.retry.NoneRetryStrategy()


@pytest.fixture
def bare():
    """A tenancy as it is new: only the built-in administrators' policy."""
    with FakeCloud(regions=REGIONS) as fake:
        yield fake


@pytest.fixture
def identity(bare):
    return oci.identity.IdentityClient(bare.config(SOURCE), retry_strategy=NO_RETRY)


def as_function(cloud, monkeypatch, compartment_id, region=SOURCE):
    """SDK clients signed as a function's resource principal in `compartment_id`."""
    for key, value in cloud.resource_principal_env(region, compartment_id=compartment_id).items():
        monkeypatch.setenv(key, value)
    signer = oci.auth.signers.get_resource_principals_signer()
    return {
        "objects": oci.object_storage.ObjectStorageClient({}, signer=signer, retry_strategy=NO_RETRY),
        "compute": oci.core.ComputeClient({}, signer=signer, retry_strategy=NO_RETRY),
    }


def create_policy(identity, cloud, statements, name="p"):
    details = oci.identity.models.CreatePolicyDetails(
        compartment_id=cloud.tenancy_id, name=name, description=name, statements=statements
    )
    return identity.create_policy(details).data


@pytest.mark.parametrize(
    "statement",
    [
        "Allow group Admins to manage all-resources in tenancy",
        "allow dynamic-group id ocid1.dynamicgroup.oc1..x to read buckets in compartment id {c}",
        "Allow any-user to use functions-family in compartment id {c} where all "
        "{{request.principal.type='resourceschedule', request.principal.id='ocid1.resourceschedule.oc1..s'}}",
        "Allow group G to manage objects in compartment images where all {{target.bucket.name='b', "
        "any {{request.permission='OBJECT_CREATE', request.permission='OBJECT_INSPECT'}}}}",
        "Allow service objectstorage-us-phoenix-1 to manage object-family in compartment id {c}",
        "Allow group G to {{OBJECT_READ, OBJECT_INSPECT}} in tenancy",
        "Allow group G to read objects in tenancy where target.object.name = /logs-*/",
    ],
)
def test_statements_oci_accepts_are_accepted_nested_groups_included(bare, identity, statement):
    c = bare.create_compartment("images")
    policy = create_policy(identity, bare, [statement.format(c=c)])
    assert identity.get_policy(policy.id).data.statements == [statement.format(c=c)]


@pytest.mark.parametrize(
    ("statement", "reason"),
    [
        ("Permit group G to read buckets in tenancy", "starts with Allow"),
        ("Allow group G to fly buckets in tenancy", "is not a verb"),
        ("Allow group G to read buckets in region us-ashburn-1", "a location is"),
        ("Allow group G to read buckets in tenancy where target.bucket.name = b", "single quotes"),
        ("Allow group G to read buckets in tenancy where any {target.bucket.name = 'b'", "ends too early"),
        ("Allow group G to read buckets in compartment id ocid1.compartment.oc1..nothere", "no compartment"),
        ("Allow group G to read buckets", "ends too early"),
    ],
)
def test_statements_oci_refuses_are_a_400_that_says_why(bare, identity, statement, reason):
    with pytest.raises(oci.exceptions.ServiceError) as e:
        create_policy(identity, bare, [statement])
    assert (e.value.status, e.value.code) == (400, "InvalidParameter")
    assert reason in e.value.message


def test_a_policy_grants_only_below_its_own_compartment(bare, identity):
    a, b = bare.create_compartment("a"), bare.create_compartment("b")
    details = oci.identity.models.CreatePolicyDetails(
        compartment_id=a, name="p", description="p", statements=[f"Allow group G to read buckets in compartment id {b}"]
    )
    with pytest.raises(oci.exceptions.ServiceError) as e:
        identity.create_policy(details)
    assert e.value.status == 400


DR_TENANCY = "ocid1.tenancy.oc1..aaaaaaaadrtenancy"
DR_GROUP = "ocid1.group.oc1..aaaaaaaadrcopiers"


def test_cross_tenancy_statements_are_accepted_with_the_aliases_their_policy_defines(bare, identity):
    source_side = [
        f"Define tenancy DR as {DR_TENANCY}",
        "Endorse group Copiers to {OBJECT_CREATE, OBJECT_INSPECT} in tenancy DR",
        "Endorse dynamic-group replicator to manage objects in tenancy DR where target.bucket.name = 'landing'",
    ]
    policy = create_policy(identity, bare, source_side, name="to-dr")
    assert policy.statements == source_side  # kept as written, in order
    dr_side = [
        f"Define tenancy Source as {DR_TENANCY}",
        f"Define group Copiers as {DR_GROUP}",
        "Admit group Copiers of tenancy Source to manage objects in tenancy where target.bucket.name = 'landing'",
    ]
    create_policy(identity, bare, dr_side, name="from-source")


@pytest.mark.parametrize(
    "statements",
    [
        ["Endorse group G to manage objects in tenancy other"],  # the alias is not defined
        [f"Define tenancy DR as {DR_TENANCY}", "Admit group G of tenancy DR to read objects in tenancy"],  # group G
        [f"Define tenancy DR as {DR_GROUP}"],  # not a tenancy OCID
        ["Define bucket B as ocid1.bucket.oc1..aaaa"],
        [f"Define tenancy DR as {DR_TENANCY}", "Endorse group G to manage objects in tenancy"],  # which tenancy?
    ],
)
def test_a_cross_tenancy_statement_oci_would_refuse_is_refused(bare, identity, statements):
    with pytest.raises(oci.exceptions.ServiceError) as e:
        create_policy(identity, bare, statements)
    assert (e.value.status, e.value.code) == (400, "InvalidParameter")


def test_endorse_and_admit_grant_nothing_within_one_tenancy(bare, monkeypatch):
    c = bare.create_compartment("functions")
    bare.create_bucket(SOURCE, "staging", c)
    functions = bare.identity.create_dynamic_group(
        {"name": "fns", "description": "fns", "matchingRule": f"resource.compartment.id = '{c}'"}
    )
    # The function's own dynamic group, admitted "from" its own tenancy: still no Allow.
    bare.create_policy(
        "no-grant-here",
        [
            f"Define tenancy Home as {bare.tenancy_id}",
            f"Define dynamic-group Fns as {functions.id}",
            "Admit dynamic-group Fns of tenancy Home to manage objects in tenancy",
        ],
    )
    sdk = as_function(bare, monkeypatch, c)
    with pytest.raises(oci.exceptions.ServiceError) as e:
        sdk["objects"].put_object(bare.namespace, "staging", "x", b"x")
    assert e.value.status == 404
    bare.create_policy("grant", ["Allow dynamic-group fns to manage objects in tenancy"])  # the same group, allowed
    sdk["objects"].put_object(bare.namespace, "staging", "x", b"x")


def test_a_function_without_a_policy_is_refused_as_oci_refuses_each_service(bare, monkeypatch):
    c = bare.create_compartment("functions")
    bare.create_bucket(SOURCE, "staging", c)
    sdk = as_function(bare, monkeypatch, c)
    with pytest.raises(oci.exceptions.ServiceError) as e:
        sdk["objects"].put_object(bare.namespace, "staging", "x", b"1")
    # Object Storage does not tell a refused bucket from a missing one.
    assert (e.value.status, e.value.code) == (404, "BucketNotFound")
    with pytest.raises(oci.exceptions.ServiceError) as e:
        sdk["compute"].list_images(c)
    assert (e.value.status, e.value.code) == (404, "NotAuthorizedOrNotFound")


def test_a_dynamic_group_s_matching_rule_and_a_bucket_condition_decide_together(bare, identity, monkeypatch):
    functions, other = bare.create_compartment("functions"), bare.create_compartment("other")
    buckets = bare.create_compartment("buckets")
    for name in ("staging", "private"):
        bare.create_bucket(SOURCE, name, buckets)
    identity.create_dynamic_group(
        oci.identity.models.CreateDynamicGroupDetails(
            compartment_id=bare.tenancy_id,
            name="fns",
            description="fns",
            matching_rule=f"ALL {{resource.type = 'fnfunc', resource.compartment.id = '{functions}'}}",
        )
    )
    create_policy(
        identity,
        bare,
        [f"Allow dynamic-group fns to manage objects in compartment id {buckets} where target.bucket.name = 'STAGING'"],
    )
    inside = as_function(bare, monkeypatch, functions)["objects"]
    inside.put_object(bare.namespace, "staging", "x", b"1")  # names match case-insensitively
    with pytest.raises(oci.exceptions.ServiceError):
        inside.put_object(bare.namespace, "private", "x", b"1")
    outside = as_function(bare, monkeypatch, other)["objects"]
    with pytest.raises(oci.exceptions.ServiceError):
        outside.put_object(bare.namespace, "staging", "y", b"1")


def test_a_condition_on_a_variable_the_service_does_not_support_never_matches(bare, identity, monkeypatch):
    functions = bare.create_compartment("functions")
    topic = bare.create_topic(SOURCE, "t", functions)
    bare.create_dynamic_group("fns", "ALL {resource.type = 'fnfunc'}")
    on_topic = f"target.ons-topic.id = '{topic.id}'"
    create_policy(
        identity,
        bare,
        [f"Allow dynamic-group fns to use ons-topics in compartment id {functions} where {on_topic}"],
    )
    for key, value in bare.resource_principal_env(SOURCE, compartment_id=functions).items():
        monkeypatch.setenv(key, value)
    signer = oci.auth.signers.get_resource_principals_signer()
    ons = oci.ons.NotificationDataPlaneClient({}, signer=signer, retry_strategy=NO_RETRY)
    message = oci.ons.models.MessageDetails(title="t", body="b")
    with pytest.raises(oci.exceptions.ServiceError) as e:
        ons.publish_message(topic.id, message)
    assert e.value.status == 404
    bare.create_policy("plain", [f"Allow dynamic-group fns to use ons-topics in compartment id {functions}"])
    ons.publish_message(topic.id, message)
    assert [m.title for m in topic.messages] == ["t"]


def test_a_copy_runs_as_object_storage_which_a_policy_must_allow(bare):
    c = bare.create_compartment("buckets")
    bare.create_bucket(SOURCE, "staging", c)
    bare.create_bucket(PHOENIX, "landing", c)
    client = oci.object_storage.ObjectStorageClient(bare.config(SOURCE), retry_strategy=NO_RETRY)
    client.put_object(bare.namespace, "staging", "img", b"disk")

    def copy(name):
        details = oci.object_storage.models.CopyObjectDetails(
            source_object_name="img",
            destination_region=PHOENIX,
            destination_namespace=bare.namespace,
            destination_bucket="landing",
            destination_object_name=name,
        )
        wr = client.copy_object(bare.namespace, "staging", details).headers["opc-work-request-id"]
        bare.run_until_idle()
        return client.get_work_request(wr).data.status

    assert copy("first") == "FAILED"
    bare.create_policy("os", [f"Allow service objectstorage-{SOURCE} to manage object-family in compartment id {c}"])
    assert copy("second") == "COMPLETED"


def test_events_invoke_a_function_only_when_cloud_events_may(bare):
    functions = bare.create_compartment("functions")
    fn = bare.deploy_handler(SOURCE, lambda: lambda ctx, data=None: "ok", compartment_id=functions)
    bare.events.create_rule(SOURCE, {"eventType": "com.oraclecloud.computeapi.createimage.end"}, fn)
    bare.create_image(SOURCE, functions, "one")
    bare.run_until_idle()
    assert [d.outcome for d in bare.events.deliveries] == ["denied"] and fn.invocations == []
    bare.create_policy("events", [f"Allow service cloudEvents to use functions-family in compartment id {functions}"])
    bare.create_image(SOURCE, functions, "two")
    bare.run_until_idle()
    assert len(fn.invocations) == 1


def test_list_compartments_shows_the_tenancy_s_compartments(bare, identity):
    a = bare.create_compartment("a")
    bare.create_compartment("b", parent=a)
    direct = identity.list_compartments(bare.tenancy_id).data
    assert [c.name for c in direct] == ["a"]
    everything = identity.list_compartments(bare.tenancy_id, compartment_id_in_subtree=True).data
    assert sorted(c.name for c in everything) == ["a", "b"]


def test_readme_lists_the_permission_of_every_operation():
    from pathlib import Path

    from ocifake.services import markdown

    assert markdown() in (Path(__file__).parent.parent / "README.md").read_text()


def test_the_tenancy_its_regions_and_availability_domains_are_readable(cloud, sdk):
    identity = oci.identity.IdentityClient(cloud.config(SOURCE))
    tenancy = identity.get_tenancy(cloud.tenancy_id).data
    subscriptions = identity.list_region_subscriptions(cloud.tenancy_id).data
    assert [s.region_name for s in subscriptions] == list(cloud.regions)
    assert [s.is_home_region for s in subscriptions].count(True) == 1
    assert tenancy.home_region_key == next(s.region_key for s in subscriptions if s.is_home_region)
    assert {r.name for r in identity.list_regions().data} == set(cloud.regions)
    domains = identity.list_availability_domains(cloud.tenancy_id).data
    assert len(domains) == 1 and domains[0].name.endswith(f"{SOURCE.upper()}-AD-1")


def test_a_compartment_is_created_renamed_and_deleted_once_empty(cloud, sdk):
    identity = oci.identity.IdentityClient(cloud.config(SOURCE))
    details = oci.identity.models.CreateCompartmentDetails(
        compartment_id=cloud.tenancy_id, name="team", description="the team's images"
    )
    made = identity.create_compartment(details).data
    assert (made.lifecycle_state, made.compartment_id) == ("ACTIVE", cloud.tenancy_id)
    with pytest.raises(oci.exceptions.ServiceError) as taken:
        identity.create_compartment(details)
    assert (taken.value.status, taken.value.code) == (409, "CompartmentAlreadyExists")
    identity.update_compartment(made.id, oci.identity.models.UpdateCompartmentDetails(name="team-a"))
    assert identity.get_compartment(made.id).data.name == "team-a"
    (listed,) = [c for c in identity.list_compartments(cloud.tenancy_id).data if c.id == made.id]
    assert (listed.name, listed.description, listed.time_created) == ("team-a", "the team's images", made.time_created)

    cloud.create_bucket(SOURCE, "in-use", made.id)
    with pytest.raises(oci.exceptions.ServiceError) as busy:
        identity.delete_compartment(made.id)
    assert (busy.value.status, busy.value.code) == (409, "CompartmentNotEmpty")
    assert f"objectstorage in {SOURCE}" in busy.value.message
    oci.object_storage.ObjectStorageClient(cloud.config(SOURCE)).delete_bucket(cloud.namespace, "in-use")

    assert identity.delete_compartment(made.id).status == 202
    assert identity.get_compartment(made.id).data.lifecycle_state == "DELETED"
    active = identity.list_compartments(cloud.tenancy_id, lifecycle_state="ACTIVE").data
    assert made.id not in {c.id for c in active}
    with pytest.raises(oci.exceptions.ServiceError) as gone:
        identity.create_compartment(
            oci.identity.models.CreateCompartmentDetails(compartment_id=made.id, name="x", description="x")
        )
    assert gone.value.status == 404
    assert identity.create_compartment(details).data.id != made.id  # the name is free again


def test_a_compartment_s_name_and_description_are_validated(cloud):
    identity = oci.identity.IdentityClient(cloud.config(SOURCE))
    for name, description in (("has space", "d"), ("ok", ""), ("x" * 101, "d")):
        with pytest.raises(oci.exceptions.ServiceError) as refused:
            identity.create_compartment(
                oci.identity.models.CreateCompartmentDetails(
                    compartment_id=cloud.tenancy_id, name=name, description=description
                )
            )
        assert (refused.value.status, refused.value.code) == (400, "InvalidParameter")


def test_a_dynamic_group_s_new_matching_rule_decides_from_the_next_request_on(bare, identity, monkeypatch):
    functions, other = bare.create_compartment("functions"), bare.create_compartment("other")
    bare.create_bucket(SOURCE, "staging", functions)
    rule = "ALL {{resource.type = 'fnfunc', resource.compartment.id = '{}'}}"
    group = identity.create_dynamic_group(
        oci.identity.models.CreateDynamicGroupDetails(
            compartment_id=bare.tenancy_id, name="fns", description="fns", matching_rule=rule.format(functions)
        )
    ).data
    create_policy(identity, bare, ["Allow dynamic-group fns to manage objects in tenancy"])
    moved = as_function(bare, monkeypatch, other)["objects"]
    with pytest.raises(oci.exceptions.ServiceError):
        moved.put_object(bare.namespace, "staging", "x", b"1")
    identity.update_dynamic_group(
        group.id, oci.identity.models.UpdateDynamicGroupDetails(matching_rule=rule.format(other))
    )
    assert identity.get_dynamic_group(group.id).data.matching_rule == rule.format(other)
    moved.put_object(bare.namespace, "staging", "x", b"1")
    with pytest.raises(oci.exceptions.ServiceError) as bad:
        identity.update_dynamic_group(group.id, oci.identity.models.UpdateDynamicGroupDetails(matching_rule="ANY {"))
    assert bad.value.status == 400
