"""A bucket's retention rules and lifecycle policy through the real SDK, as infra/'s buckets.tf reads
them back: what a rule holds is neither overwritten nor deleted, by a caller or by a lifecycle rule."""

import oci
import pytest

from support import SOURCE

DAY = 86400


@pytest.fixture
def bucket(cloud, compartment, sdk):
    cloud.create_bucket(SOURCE, "staging", compartment)
    objects = sdk.objects()
    objects.put_object(cloud.namespace, "staging", "images/x.oci", b"image")
    return objects


def _rule(objects, cloud, days=None):
    duration = oci.object_storage.models.Duration(time_amount=days, time_unit="DAYS") if days else None
    details = oci.object_storage.models.CreateRetentionRuleDetails(display_name="hold", duration=duration)
    return objects.create_retention_rule(cloud.namespace, "staging", details).data


def test_a_bucket_without_rules_lists_none_and_a_rule_reads_back(cloud, bucket):
    assert bucket.list_retention_rules(cloud.namespace, "staging").data.items == []
    rule = _rule(bucket, cloud, days=1)
    read = bucket.get_retention_rule(cloud.namespace, "staging", rule.id).data
    assert (read.display_name, read.duration.time_amount, read.duration.time_unit) == ("hold", 1, "DAYS")


def test_an_object_held_by_a_rule_is_neither_overwritten_nor_deleted_until_its_duration_passes(cloud, bucket):
    _rule(bucket, cloud, days=1)
    for attempt in (
        lambda: bucket.delete_object(cloud.namespace, "staging", "images/x.oci"),
        lambda: bucket.put_object(cloud.namespace, "staging", "images/x.oci", b"other"),
    ):
        with pytest.raises(oci.exceptions.ServiceError) as refused:
            attempt()
        assert refused.value.status == 409
    cloud.advance(DAY + 60)
    bucket.delete_object(cloud.namespace, "staging", "images/x.oci")


def test_an_indefinite_rule_holds_until_it_is_deleted_and_lifecycle_deletions_skip_what_it_holds(cloud, bucket):
    rule = _rule(bucket, cloud)
    expire = oci.object_storage.models.ObjectLifecycleRule(
        name="expire", action="DELETE", time_amount=1, time_unit="DAYS", is_enabled=True
    )
    details = oci.object_storage.models.PutObjectLifecyclePolicyDetails(items=[expire])
    cloud.create_policy("os", [f"Allow service objectstorage-{SOURCE} to manage object-family in tenancy"])
    bucket.put_object_lifecycle_policy(cloud.namespace, "staging", details)
    assert [r.name for r in bucket.get_object_lifecycle_policy(cloud.namespace, "staging").data.items] == ["expire"]
    cloud.advance(3 * DAY)
    assert bucket.head_object(cloud.namespace, "staging", "images/x.oci").status == 200
    bucket.delete_retention_rule(cloud.namespace, "staging", rule.id)
    bucket.delete_object(cloud.namespace, "staging", "images/x.oci")
    bucket.delete_object_lifecycle_policy(cloud.namespace, "staging")
    with pytest.raises(oci.exceptions.ServiceError) as gone:
        bucket.get_object_lifecycle_policy(cloud.namespace, "staging")
    assert gone.value.status == 404
