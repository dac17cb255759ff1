"""A settled source record folded into its settled mark: a steady pass lists no record and no answer of
it, every reader still finds it, and the first write puts it back."""

from collections import Counter

import oci

from replicator.records.store import QUIET
from replicator_tools.cli.auth import AuthOptions, Operator
from replicator_tools.inventory import protections, reports
from replicator_tools.sandbox import deploy, idle
from tests.helpers import PHOENIX, SOURCE, at_an_hour_with_no_shape_look, compute, object_names, record, replicas

TAGS = {"replicate-to": PHOENIX}


def _prefixes(sandbox):
    prefix = sandbox.config.object_prefix
    return prefix + "records/source/", prefix + "acks/", prefix + "settled/source/"


def _staged(cloud, sandbox, head: str) -> list[str]:
    return object_names(cloud, SOURCE, sandbox.config.staging_bucket, head)


def _folded_world(cloud, compartment, n: int = 3):
    """`n` images replicated to Phoenix, settled, and quiet long enough for a pass to fold them."""
    sandbox = deploy(cloud, [SOURCE, PHOENIX], compartment)
    images = [cloud.create_image(SOURCE, compartment, f"web-{i}", freeform_tags=TAGS) for i in range(n)]
    cloud.run_until_idle()
    cloud.advance(int(QUIET.total_seconds()) + 3600)
    cloud.run_until_idle()
    for region in (SOURCE, PHOENIX):
        for _ in range(3):
            if idle(sandbox.reconcile(region)):
                break
    at_an_hour_with_no_shape_look(cloud, [i.id for i in images], schedules=False)
    return sandbox, images


def _operator(cloud, sandbox) -> Operator:
    return Operator(AuthOptions(fake=cloud.config(SOURCE), fake_env=sandbox.env))


def test_a_quiet_settled_source_lives_in_its_mark_and_a_steady_pass_lists_neither_record_nor_answers(
    cloud, compartment
):
    sandbox, images = _folded_world(cloud, compartment)
    records, acks, marks = _prefixes(sandbox)
    assert _staged(cloud, sandbox, records) == [] and _staged(cloud, sandbox, acks) == []
    folded = _staged(cloud, sandbox, marks)
    assert len(folded) == 3 and all(n.endswith(".f") for n in folded)
    # Every reader still finds the record: a person fetching it, and the operator's status.
    assert all(record(cloud, sandbox, "source", i.id, SOURCE)["targets"][PHOENIX]["state"] == "done" for i in images)
    runtime = _operator(cloud, sandbox).runtime()
    assert {p.state for p in protections(runtime, [compartment])} == {"protected"}
    assert {r.source_image_id for r in reports(runtime, lambda r: _operator(cloud, sandbox).runtime(r), [], [])} == {
        i.id for i in images
    }
    before = len(cloud.calls)
    report = sandbox.reconcile(SOURCE)
    assert report.steps == [] and report.exposed == 0
    done = [c for c in cloud.calls[before:] if c.region == SOURCE]
    listed = [c.params.get("prefix", "") for c in done if c.operation == "ListObjects"]
    # The marks, the rest of staging (empty of records and answers), the landing bucket: one page each.
    assert len(listed) == 3
    assert Counter(c.operation for c in done)["GetObject"] == 1  # the pass's own last report


def test_an_event_on_a_folded_replication_puts_its_record_back_acts_and_is_folded_again_later(cloud, compartment):
    sandbox, images = _folded_world(cloud, compartment, n=1)
    (image,) = images
    records, _acks, marks = _prefixes(sandbox)
    client = compute(cloud, SOURCE)
    client.update_image(image.id, oci.core.models.UpdateImageDetails(freeform_tags={**TAGS, "team": "web"}))
    cloud.run_until_idle()
    (replica,) = replicas(cloud, PHOENIX, image.id, compartment)
    assert replica.freeform_tags["team"] == "web"
    # Put back by the write that acted, its mark gone with it; a record written since is not folded.
    assert _staged(cloud, sandbox, records) == [records + image.id + ".json"]
    sandbox.reconcile(SOURCE)
    assert not any(n.endswith(".f") for n in _staged(cloud, sandbox, marks))
    cloud.advance(int(QUIET.total_seconds()) + 3600)
    cloud.run_until_idle()
    sandbox.reconcile(PHOENIX)
    sandbox.reconcile(SOURCE)
    assert _staged(cloud, sandbox, records) == []
    (mark,) = _staged(cloud, sandbox, marks)
    assert mark.endswith(".f")
    assert record(cloud, sandbox, "source", image.id, SOURCE)["tags_fingerprint"] is not None


def test_a_late_duplicate_of_the_creation_event_finds_the_folded_record_and_exports_nothing(cloud, compartment):
    sandbox, images = _folded_world(cloud, compartment, n=1)
    (image,) = images
    created = [e for e in cloud.events.emitted if e["region"] == SOURCE and e["eventType"].endswith(".createimage.end")]
    exports = sum(c.operation == "ExportImage" for c in cloud.calls)
    import json

    for event in created:
        payload = {k: v for k, v in event.items() if k != "region"}
        cloud.invoke_parallel([(sandbox.functions[SOURCE], json.dumps(payload).encode())] * 2)
    cloud.run_until_idle()
    assert sum(c.operation == "ExportImage" for c in cloud.calls) == exports
    assert record(cloud, sandbox, "source", image.id, SOURCE)["export"]["state"] == "done"


def test_a_replica_lost_while_every_event_is_lost_unsettles_a_folded_replication(cloud, compartment):
    sandbox, images = _folded_world(cloud, compartment, n=2)
    cloud.events.drop()
    (replica,) = replicas(cloud, PHOENIX, images[0].id, compartment)
    compute(cloud, PHOENIX).delete_image(replica.id)
    sandbox.reconcile(PHOENIX)  # answers "lost" to the source
    cloud.run_until_idle()
    report = sandbox.reconcile(SOURCE)  # the answer is listed: the folded mark no longer holds
    assert images[0].id in {s.source_image_id for s in report.steps}
    states = {p.source_image_id: p.state for p in protections(_operator(cloud, sandbox).runtime(), [compartment])}
    assert states[images[0].id] != "protected" and states[images[1].id] == "protected"


def test_a_write_over_a_version_folded_since_it_was_read_is_redone_on_the_folded_record(cloud, compartment):
    sandbox, images = _folded_world(cloud, compartment, n=1)
    (image,) = images
    records, _acks, marks = _prefixes(sandbox)
    store = _operator(cloud, sandbox).runtime().records
    (mark,) = _staged(cloud, sandbox, marks)
    folded = store.read("source", image.id)
    assert folded.etag is None and folded.folded == mark
    # A writer puts it back; another reads that version; a pass folds it; the second writer writes.
    back, _etag = store.conditional_update("source", (folded.record, None), lambda r: None, new=None, reload=None)
    assert _staged(cloud, sandbox, marks) == []
    seen = store.read("source", image.id)
    assert store.fold("source", seen.record, seen.etag, mark)
    assert _staged(cloud, sandbox, records) == []

    def reload():
        found = store.read("source", image.id)
        return found.record, found.etag

    written, _ = store.conditional_update(
        "source", (seen.record, seen.etag), lambda r: setattr(r, "display_name", "renamed"), new=None, reload=reload
    )
    assert written.display_name == "renamed" and back.source_image_id == image.id
    assert _staged(cloud, sandbox, marks) == []
    assert record(cloud, sandbox, "source", image.id, SOURCE)["display_name"] == "renamed"


def test_a_record_written_blind_beside_a_folded_one_is_taken_back_and_the_write_redone_on_it(cloud, compartment):
    sandbox, images = _folded_world(cloud, compartment, n=1)
    (image,) = images
    store = _operator(cloud, sandbox).runtime().records
    blank = type(store.read("source", image.id).record)(source_image_id=image.id, source_region=SOURCE)

    def reload():
        found = store.read("source", image.id)
        return found.record, found.etag

    # What a step does on its first event: write without reading, expecting no record.
    written, _ = store.conditional_update("source", (None, None), lambda r: None, new=lambda: blank, reload=reload)
    assert written.export.state == "done" and written.targets[PHOENIX].state == "done"


def test_a_folded_mark_that_cannot_be_read_is_rebuilt_like_a_damaged_record_and_then_removed(cloud, compartment):
    sandbox, images = _folded_world(cloud, compartment, n=1)
    (image,) = images
    _records, _acks, marks = _prefixes(sandbox)
    (mark,) = _staged(cloud, sandbox, marks)
    objects = cloud.objectstorage(SOURCE)
    with cloud.lock:
        objects.bucket(cloud.namespace, sandbox.config.staging_bucket).objects[mark].data = b"{not json"
    client = compute(cloud, SOURCE)
    client.update_image(image.id, oci.core.models.UpdateImageDetails(freeform_tags={**TAGS, "team": "web"}))
    cloud.run_until_idle()
    sandbox.converge()
    (replica,) = replicas(cloud, PHOENIX, image.id, compartment)
    assert replica.freeform_tags["team"] == "web"
    assert record(cloud, sandbox, "source", image.id, SOURCE)["rebuilt_at"] is not None
    assert mark not in _staged(cloud, sandbox, marks)


def test_marks_left_before_records_were_folded_are_folded_by_spare_reads_never_counted_exposed(
    cloud, compartment, monkeypatch
):
    import dataclasses
    from datetime import timedelta

    monkeypatch.setattr("replicator.records.store.QUIET", timedelta(days=365))  # no fold while settling
    sandbox = deploy(cloud, [SOURCE, PHOENIX], compartment, {"IR_RECONCILE_MAX_READS": "4"})
    images = [cloud.create_image(SOURCE, compartment, f"web-{i}", freeform_tags=TAGS) for i in range(10)]
    cloud.run_until_idle()
    cloud.advance(3600)
    cloud.run_until_idle()
    for region in (SOURCE, PHOENIX):
        for _ in range(5):
            if idle(sandbox.reconcile(region)):
                break
    records, acks, marks = _prefixes(sandbox)
    bucket = cloud.objectstorage(SOURCE).bucket(cloud.namespace, sandbox.config.staging_bucket)
    with cloud.lock:  # the marks as the version before folding named them: no time to fold at
        for name in [n for n in bucket.objects if n.startswith(marks)]:
            older = name.rsplit(".", 1)[0]
            assert name.rsplit(".", 1)[1].startswith("q")
            bucket.objects[older] = dataclasses.replace(bucket.objects.pop(name), name=older)
    monkeypatch.setattr("replicator.records.store.QUIET", QUIET)
    cloud.clock.move_to(cloud.clock.seconds + QUIET.total_seconds())  # no scheduled pass meanwhile
    at_an_hour_with_no_shape_look(cloud, [i.id for i in images], schedules=False)
    folded = []
    for _ in range(3):
        report = sandbox.reconcile(SOURCE)
        assert report.steps == [] and report.exposed == 0 and report.deferred == 0
        folded.append(sum(n.endswith(".f") for n in _staged(cloud, sandbox, marks)))
    assert folded == [4, 8, 10]
    assert _staged(cloud, sandbox, records) == [] and _staged(cloud, sandbox, acks) == []
    assert {p.state for p in protections(_operator(cloud, sandbox).runtime(), [compartment])} == {"protected"}
    assert len(images) == 10
