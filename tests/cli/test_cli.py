"""The operator CLI against the fake cloud: exit codes, table rows, JSON fields, actionable errors."""

import json
import os
import sys
from datetime import UTC, datetime, timedelta

import pytest

from replicator_tools.cli import main
from replicator_tools.sandbox import deploy
from tests.helpers import FRANKFURT, PHOENIX, REGIONS, SOURCE


@pytest.fixture
def replicated(cloud, compartment):
    """Three images: one replicated, one whose import fails in Frankfurt, one skipped for a bad tag."""
    sandbox = deploy(cloud, REGIONS, compartment, {"IR_DEFAULT_REGIONS": PHOENIX})
    images = {
        "web": cloud.create_image(SOURCE, compartment, "web", freeform_tags={"replicate-to": PHOENIX}),
        "db": cloud.create_image(SOURCE, compartment, "db", freeform_tags={"replicate-to": f"{PHOENIX},{FRANKFURT}"}),
        "typo": cloud.create_image(SOURCE, compartment, "typo", freeform_tags={"replicate-to": "us-phenix-1"}),
        "plain": cloud.create_image(SOURCE, compartment, "plain"),
    }
    cloud.run_until_idle()
    return sandbox, images


@pytest.fixture
def oci_config(cloud, tmp_path):
    c = cloud.config(SOURCE)
    path = tmp_path / "config"
    path.write_text(
        "[DEFAULT]\n"
        + "".join(f"{k}={v}\n" for k, v in c.items())
        + "\n[OTHER]\n"
        + "".join(f"{k}={v}\n" for k, v in c.items())
    )
    return str(path)


def run(capsys, monkeypatch, *args, env=None):
    for key, value in (env or {}).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(sys, "argv", ["image-replicator", *args])
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code or 0
    out = capsys.readouterr()
    return code, out.out, out.err


def test_status_shows_every_image_and_region_with_failures_and_skips(
    cloud, compartment, replicated, oci_config, capsys, monkeypatch
):
    code, out, err = run(capsys, monkeypatch, "--config-file", oci_config, "status", "--compartment", compartment)
    assert (code, err) == (0, "")
    rows = [line.split() for line in out.splitlines()]
    assert rows[[r[:1] for r in rows].index(["web"])][:3] == ["web", PHOENIX, "done"]
    assert any(r[:3] == ["typo", "-", "skipped"] for r in rows)
    assert "typo: skipped: unknown region name(s): us-phenix-1" in out


def test_status_merges_every_region_s_record_into_one_document_per_image(
    cloud, compartment, replicated, oci_config, capsys, monkeypatch
):
    _sandbox, images = replicated
    code, out, _ = run(capsys, monkeypatch, "--config-file", oci_config, "status", images["db"].id, "--json")
    (doc,) = json.loads(out)["data"]
    assert code == 0
    assert (doc["source-image-id"], doc["state"], doc["source-region"]) == (images["db"].id, "done", SOURCE)
    assert {r["region"]: r["state"] for r in doc["regions"]} == {PHOENIX: "done", FRANKFURT: "done"}
    assert set(doc["regions"][0]["durations"]) == {"export", "copy", "import", "finish"}
    assert all(r["replica-image-id"] for r in doc["regions"])


def test_status_reports_a_failed_region_with_the_target_s_reason(cloud, compartment, oci_config, capsys, monkeypatch):
    deploy(cloud, REGIONS, compartment, {"IR_MAX_ATTEMPTS": "1", "IR_GIVE_UP_AFTER_HOURS": "0"})
    cloud.faults.fail_work_request("ImportImage", region=FRANKFURT)
    image = cloud.create_image(SOURCE, compartment, "db", freeform_tags={"replicate-to": f"{PHOENIX},{FRANKFURT}"})
    cloud.run_until_idle()
    code, out, _ = run(capsys, monkeypatch, "--config-file", oci_config, "status", image.id, "--json")
    regions = {r["region"]: r for r in json.loads(out)["data"][0]["regions"]}
    assert code == 0
    assert (regions[PHOENIX]["state"], regions[FRANKFURT]["state"], regions[FRANKFURT]["stage"]) == (
        "done",
        "failed",
        "import",
    )
    assert regions[FRANKFURT]["last-error"] == "gave up after 1 attempts: import ended with the replica DELETED"


def test_plan_uses_the_functions_decisions(cloud, compartment, replicated, oci_config, capsys, monkeypatch):
    code, out, _ = run(
        capsys,
        monkeypatch,
        "--config-file",
        oci_config,
        "plan",
        "-c",
        compartment,
        "--json",
        env={"IR_DEFAULT_REGIONS": PHOENIX},
    )
    plans = {p["display-name"]: p for p in json.loads(out)["data"]}
    assert code == 0
    assert plans["db"]["targets"] == [PHOENIX, FRANKFURT]
    assert (plans["plain"]["opted-in"], plans["plain"]["reason"]) == (False, "image carries no opt-in tag")
    assert plans["typo"]["reason"] == "unknown region name(s): us-phenix-1"
    code, out, _ = run(capsys, monkeypatch, "--config-file", oci_config, "plan", "-c", compartment)
    assert "replicate" in out and "not opted in" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--config-file", "/nowhere/config", "status"], "config file /nowhere/config not found"),
        (["--profile", "NOPE", "status"], "profile 'NOPE' not found"),
        (["--region", "mars-north-1", "status"], "unknown region 'mars-north-1'"),
        (["status", "ocid1.image.oc1.iad.x/../../instances"], "is not an image OCID"),
        (["plan", "-c", "not-a-compartment"], "'not-a-compartment' is not a compartment OCID"),
        (["retry", "ocid1.image.oc1.iad.aaaa", "--target", "mars-north-1"], "unknown region"),
    ],
)
def test_bad_arguments_are_one_line_with_exit_code_1_and_no_call(cloud, oci_config, capsys, monkeypatch, args, message):
    if args[0] != "--config-file":
        args = ["--config-file", oci_config, *args]
    code, _out, err = run(capsys, monkeypatch, *args)
    assert code == 1
    assert message in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert cloud.calls == []


def test_a_config_file_that_is_not_one_is_a_one_line_error(cloud, tmp_path, capsys, monkeypatch):
    garbage = tmp_path / "config"
    garbage.write_text("this is\n not [an ini file\n= at all")
    code, _, err = run(capsys, monkeypatch, "--config-file", str(garbage), "status")
    assert code == 1
    assert "cannot be read" in err and len(err.strip().splitlines()) == 1


def test_a_bucket_that_no_listing_shows_is_reported_missing_not_refused(
    cloud, compartment, oci_config, capsys, monkeypatch
):
    code, _, err = run(
        capsys, monkeypatch, "--config-file", oci_config, "status", env={"IR_STAGING_BUCKET": "not-ours"}
    )
    assert code == 1
    assert err.startswith(f"error: bucket 'not-ours' does not exist in {SOURCE}") and "Allow" not in err


@pytest.mark.parametrize("where", ["first", "last"])
def test_debug_is_accepted_anywhere_and_shows_the_traceback(cloud, compartment, oci_config, capsys, monkeypatch, where):
    args = ["--config-file", oci_config, "status"]
    args = ["--debug", *args] if where == "first" else [*args, "--debug"]
    code, _, err = run(capsys, monkeypatch, *args, env={"IR_STAGING_BUCKET": "not-ours"})
    assert code == 1
    assert "Traceback" in err


def test_reconcile_dry_run_lists_steps_and_the_real_pass_takes_them(
    cloud, compartment, oci_config, capsys, monkeypatch
):
    deploy(cloud, REGIONS, compartment)
    cloud.events.drop()
    image = cloud.create_image(SOURCE, compartment, "web", freeform_tags={"replicate-to": PHOENIX})
    cloud.run_until_idle()
    env = {"IR_COMPARTMENTS": compartment}
    code, out, _ = run(capsys, monkeypatch, "--config-file", oci_config, "reconcile", "--dry-run", "--json", env=env)
    doc = json.loads(out)["data"]
    assert code == 0
    assert (doc["dry-run"], [(s["side"], s["action"]) for s in doc["steps"]]) == (True, [("source", "export")])
    code, out, _ = run(capsys, monkeypatch, "--config-file", oci_config, "reconcile", env=env)
    assert code == 0 and "export" in out
    code, out, _ = run(capsys, monkeypatch, "--config-file", oci_config, "status", image.id, "--json")
    assert (
        json.loads(out)["data"][0]["regions"][0]["stage"] == "export"
        and json.loads(out)["data"][0]["regions"][0]["state"] == "in_progress"
    )


def test_retry_counts_a_failed_region_afresh(cloud, compartment, oci_config, capsys, monkeypatch):
    deploy(cloud, REGIONS, compartment, {"IR_MAX_ATTEMPTS": "1"})
    cloud.faults.fail_work_request("ImportImage", region=FRANKFURT)
    image = cloud.create_image(SOURCE, compartment, "db", freeform_tags={"replicate-to": FRANKFURT})
    cloud.run_until_idle()
    code, out, _ = run(capsys, monkeypatch, "--config-file", oci_config, "retry", image.id, "--target", FRANKFURT)
    assert code == 0 and "attempts count afresh" in out
    code, out, _ = run(capsys, monkeypatch, "--config-file", oci_config, "status", image.id, "--json")
    assert json.loads(out)["data"][0]["regions"][0]["state"] != "failed"
    code, _, err = run(capsys, monkeypatch, "--config-file", oci_config, "retry", image.id, "--target", PHOENIX)
    assert code == 1 and f"no replication of {image.id} to {PHOENIX}" in err


def test_fake_runs_any_command_against_the_embedded_cloud_and_leaves_the_environment_alone(capsys, monkeypatch):
    for key in ("IR_DEFAULT_REGIONS", "IR_COMPARTMENTS"):
        monkeypatch.delenv(key, raising=False)
    code, out, err = run(capsys, monkeypatch, "--fake", "status", "--json")
    states = {d["display-name"]: d["state"] for d in json.loads(out)["data"]}
    assert (code, err) == (0, "")
    assert states == {"web-server": "done", "batch-worker": "done", "vendor-appliance": "failed"}
    assert "IR_DEFAULT_REGIONS" not in os.environ and "IR_COMPARTMENTS" not in os.environ


def test_a_dry_run_lists_nothing_for_replications_whose_listing_shows_no_change(capsys, monkeypatch):
    code, out, err = run(capsys, monkeypatch, "--fake", "reconcile", "--dry-run", "--output", "json")
    assert (code, err) == (0, "")
    steps = json.loads(out)["data"]["steps"]
    # Both are done with their tags unchanged: no step, but the daily shape look of an image whose
    # hour it is (the hour follows from its OCID, and the fake's clock from the time the test runs).
    assert all(s["reason"].startswith("daily look") for s in steps if s["display-name"] == "web-server")
    assert all(s["action"] != "refresh" or s["reason"].startswith("daily look") for s in steps)


def test_summary_gives_one_line_per_opted_in_image_and_exits_0_within_the_rpo(capsys, monkeypatch):
    code, out, err = run(capsys, monkeypatch, "--fake", "status", "--summary")
    assert (code, err) == (0, "")
    lines = {
        line.split()[1]: line.split()[0] for line in out.splitlines() if line.split()[:1] not in (["3"], ["FAMILY"])
    }
    assert lines == {"batch-worker": "PROTECTED", "vendor-appliance": "GIVEN_UP", "web-server": "PROTECTED"}
    assert f"FAMILY    web-server  {PHOENIX}: latest web-server (1 kept)" in out
    assert "Marketplace images cannot be exported" in out
    assert "0 exposed longer than the RPO (4h00m)" in out


def test_summary_exits_3_when_an_image_is_exposed_past_the_rpo(capsys, monkeypatch):
    code, out, _ = run(capsys, monkeypatch, "--fake", "status", "--summary", "--rpo", "0.5")
    assert code == 3
    assert "past RPO" in next(line for line in out.splitlines() if "vendor-appliance" in line)
    assert "1 exposed longer than the RPO (30m)" in out


def test_summary_as_json_names_what_is_past_the_rpo(capsys, monkeypatch):
    code, out, _ = run(capsys, monkeypatch, "--fake", "status", "--summary", "--rpo", "0.5", "--json")
    doc = json.loads(out)["data"]
    by_name = {i["display-name"]: i for i in doc["images"]}
    assert code == 3 and doc["rpo-hours"] == 0.5
    assert doc["past-rpo"] == [by_name["vendor-appliance"]["source-image-id"]]
    assert by_name["vendor-appliance"]["exposure-seconds"] > 1800 and by_name["web-server"]["exposure-seconds"] == 0
    assert [t["state"] for t in by_name["web-server"]["targets"]] == ["protected", "protected"]


def test_summary_shows_refused_and_lagging_images_of_the_compartments_asked_for(
    cloud, compartment, replicated, oci_config, capsys, monkeypatch
):
    code, out, _ = run(
        capsys, monkeypatch, "--config-file", oci_config, "status", "--summary", "-c", compartment, "--rpo", "1000"
    )
    states = {line.split()[1]: line.split()[0] for line in out.splitlines() if line.split()[:1] != ["4"]}
    assert code == 0
    assert states["web"] == "PROTECTED" and states["typo"] == "REFUSED" and "plain" not in states
    assert "unknown region name(s): us-phenix-1" in out


def test_summary_needs_compartments_to_look_at(cloud, oci_config, capsys, monkeypatch):
    monkeypatch.delenv("IR_COMPARTMENTS", raising=False)
    code, _, err = run(capsys, monkeypatch, "--config-file", oci_config, "status", "--summary")
    assert code == 1 and "pass --compartment or set IR_COMPARTMENTS" in err


def test_global_options_are_taken_anywhere_on_the_line(cloud, compartment, replicated, oci_config, capsys, monkeypatch):
    _sandbox, images = replicated
    code, out, err = run(capsys, monkeypatch, "status", images["web"].id, "--json", "--config-file", oci_config)
    assert (code, err) == (0, "")
    assert json.loads(out)["data"][0]["source-image-id"] == images["web"].id


def test_the_oci_cli_s_variables_choose_the_config_file_and_profile(
    cloud, compartment, replicated, oci_config, capsys, monkeypatch
):
    _sandbox, images = replicated
    env = {"OCI_CLI_CONFIG_FILE": oci_config, "OCI_CLI_PROFILE": "OTHER"}
    code, out, err = run(capsys, monkeypatch, "status", images["web"].id, "--json", env=env)
    assert (code, err) == (0, "") and json.loads(out)["data"][0]["source-image-id"] == images["web"].id
    code, _, err = run(capsys, monkeypatch, "status", env={**env, "OCI_CLI_PROFILE": "MISSING"})
    assert code == 1 and "profile 'MISSING' not found" in err


def test_version_and_short_help(capsys, monkeypatch):
    code, out, _ = run(capsys, monkeypatch, "--version")
    assert code == 0 and out.startswith("image-replicator 0.1.0")
    code, out, _ = run(capsys, monkeypatch, "status", "-h")
    assert code == 0 and "--summary" in out
    code, out, _ = run(capsys, monkeypatch, "-h")
    commands = ("status", "plan", "reconcile", "retry", "latest", "demo")
    assert code == 0 and all(c in out.split("Commands", 1)[0] for c in commands)  # the summary names each


def test_a_global_option_s_value_is_never_taken_for_a_subcommand():
    from replicator_tools.cli import hoist_global_options

    assert hoist_global_options(["--profile", "status", "plan", "-c", "x"]) == [
        "--profile",
        "status",
        "plan",
        "-c",
        "x",
    ]
    assert hoist_global_options(["retry", "I", "--target", "R", "--region=us-ashburn-1", "--debug"]) == [
        "--region=us-ashburn-1",
        "--debug",
        "retry",
        "I",
        "--target",
        "R",
    ]


def test_json_output_is_one_data_document_with_the_oci_cli_s_kebab_case_keys_and_query_selects_from_it(
    capsys, monkeypatch
):
    code, out, _ = run(capsys, monkeypatch, "--fake", "status", "--output", "json")
    doc = json.loads(out)["data"]
    assert code == 0 and [r["state"] for r in doc]
    keys = {k for r in doc for k in r} | {k for r in doc for g in r["regions"] for k in g}
    assert {"source-image-id", "display-name", "replica-image-id"} <= keys and not any("_" in k for k in keys)
    query = "data[?state=='done'].\"display-name\""
    code, out, _ = run(capsys, monkeypatch, "--fake", "status", "--query", query)
    assert code == 0 and sorted(json.loads(out)) == ["batch-worker", "web-server"]
    code, out, _ = run(capsys, monkeypatch, "--fake", "status", "--query", "data[?state=='nowhere']")
    assert (code, json.loads(out)) == (0, [])  # nothing found is still a document


def test_output_table_draws_what_query_selects(capsys, monkeypatch):
    query = """data[].{name: "display-name", state: state}"""
    code, out, err = run(capsys, monkeypatch, "--fake", "status", "--output", "table", "--query", query)
    assert (code, err) == (0, "")
    rows = [line.split() for line in out.splitlines()]
    assert ["name", "state"] in rows and ["web-server", "done"] in rows and ["vendor-appliance", "failed"] in rows


def test_v_prints_the_version_as_the_oci_cli_s_does(capsys, monkeypatch):
    code, out, _ = run(capsys, monkeypatch, "-v")
    assert code == 0 and out.startswith("image-replicator ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["status", "--bogus"], "No such option: --bogus"),
        (["retry"], "Missing"),
        (["frobnicate"], "No such command"),
        (["--output", "yaml", "status"], "--output must be one of: table, json"),
        (["--auth", "password", "status"], "--auth must be one of"),
        (["status", "--query", "data[?"], "--query is not a JMESPath expression"),
    ],
)
def test_usage_errors_are_one_line_with_exit_code_2(capsys, monkeypatch, args, message):
    code, _out, err = run(capsys, monkeypatch, *args)
    assert code == 2 and message in err
    assert len(err.strip().splitlines()) == 1 and "╭" not in err


def test_retry_says_nothing_to_retry_for_a_done_region_and_needs_force_after_a_refusal(capsys, monkeypatch):
    code, out, _ = run(capsys, monkeypatch, "--fake", "status", "--json")
    by_name = {d["display-name"]: d for d in json.loads(out)["data"]}
    done, refused = by_name["web-server"], by_name["vendor-appliance"]
    region = done["regions"][0]["region"]
    code, out, _ = run(capsys, monkeypatch, "--fake", "retry", done["source-image-id"], "--target", region)
    assert (code, out.strip()) == (0, f"nothing to retry: {region} is done")
    target = refused["regions"][0]["region"]
    code, _, err = run(capsys, monkeypatch, "--fake", "retry", refused["source-image-id"], "--target", target)
    assert code == 1 and "pass --force" in err
    code, out, _ = run(
        capsys, monkeypatch, "--fake", "retry", refused["source-image-id"], "--target", target, "--force"
    )
    assert code == 0 and "attempts count afresh" in out


def test_without_the_fake_extra_fake_and_demo_name_the_extra(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "ocifake", None)  # as if the [fake] extra were not installed
    for args in (["--fake", "status"], ["demo"]):
        code, _, err = run(capsys, monkeypatch, *args)
        assert code == 1 and "pip install 'oci-image-replicator[fake]'" in err
        assert len(err.strip().splitlines()) == 1


def test_the_demo_s_legend_and_event_lines_keep_their_brackets_and_show_a_long_import_s_progress(capsys, monkeypatch):
    code, out, err = run(capsys, monkeypatch, "demo")
    assert code == 0, out[-3000:] + err
    assert "[hh:mm] simulated time" in out
    imports = [line.split() for line in out.splitlines() if line.startswith("[") and " import " in line]
    assert any(words[4].endswith("%,") and words[-1] == "left" for words in imports if words[1] == "web-server"), out
    # The times the demo prints agree: the summary comes after the hourly pass, and says when.
    table = next(line for line in out.splitlines() if line.startswith("Replication status after "))
    summary = next(line for line in out.splitlines() if line.startswith("Protection at "))
    assert table.split()[4] == "simulated" and summary.split()[3] == "simulated,"


def test_fake_in_flight_starts_with_work_under_way_and_watch_shows_it_move_until_settled(capsys, monkeypatch):
    code, out, err = run(capsys, monkeypatch, "--fake", "--in-flight", "status")
    moving = [line for line in out.splitlines() if "%" in line and "left" in line]
    assert (code, err) == (0, "") and moving, out
    code, out, err = run(capsys, monkeypatch, "--fake", "--in-flight", "status", "--watch", "--interval", "300")
    assert (code, err) == (0, "") and out.rstrip().endswith("until every region settles")
    rows = [line.split() for line in out.split("Replication status")[-1].splitlines()]
    assert [r[:3] for r in rows if r[:1] == ["web-server"]] == [
        ["web-server", r[1], "done"] for r in rows if r[:1] == ["web-server"]
    ]
    code, _, err = run(capsys, monkeypatch, "--in-flight", "status")
    assert code == 2 and "--in-flight is for the embedded fake cloud" in err


def test_wide_status_shows_whole_ocids_for_retry_and_plan_keeps_each_ocid_on_one_line(capsys, monkeypatch):
    code, out, _ = run(capsys, monkeypatch, "--fake", "status", "--json")
    ids = [d["source-image-id"] for d in json.loads(out)["data"]]
    code, out, _ = run(capsys, monkeypatch, "--fake", "status", "--wide")
    assert code == 0 and all(i in out for i in ids)
    replicas = [
        r["replica-image-id"]
        for d in json.loads(run(capsys, monkeypatch, "--fake", "status", "--json")[1])["data"]
        for r in d["regions"]
        if r["replica-image-id"]
    ]
    assert replicas and all(r in out for r in replicas)


def test_the_oci_cli_rc_file_gives_the_default_profile_option_defaults_and_canned_queries(
    cloud, compartment, replicated, oci_config, tmp_path, capsys, monkeypatch
):
    rc = tmp_path / "oci_cli_rc"
    rc.write_text(
        "[OCI_CLI_SETTINGS]\ndefault_profile = OTHER\n\n"
        f"[OTHER]\ncompartment-id = {compartment}\noutput = json\n\n"
        '[OCI_CLI_CANNED_QUERIES]\nnames = data[]."display-name"\n'
    )
    env = {"OCI_CLI_CONFIG_FILE": oci_config, "OCI_CLI_RC_FILE": str(rc), "IR_DEFAULT_REGIONS": PHOENIX}
    # plan needs -c: the profile's compartment-id gives it; the profile's output makes it JSON.
    code, out, err = run(capsys, monkeypatch, "plan", "--query", "query://names", env=env)
    assert (code, err) == (0, "")
    assert sorted(json.loads(out)) == ["db", "plain", "typo", "web"]
    # The line still wins over the file, and a profile the file does not describe gets no defaults.
    code, out, _ = run(capsys, monkeypatch, "--profile", "DEFAULT", "plan", "-c", compartment, env=env)
    assert code == 0 and "not opted in" in out
    code, _, err = run(capsys, monkeypatch, "plan", "--query", "query://nope", env=env)
    assert code == 1 and err.startswith("error: no canned query 'nope'")
    code, _, err = run(capsys, monkeypatch, "--cli-rc-file", str(tmp_path / "none"), "status", env=env)
    assert code == 1 and "oci_cli_rc file" in err and "not found" in err


def test_status_shows_the_progress_of_work_in_flight_and_watch_redraws_until_settled(
    cloud, compartment, oci_config, capsys, monkeypatch
):
    deploy(cloud, REGIONS, compartment)
    image = cloud.create_image(SOURCE, compartment, "web", freeform_tags={"replicate-to": PHOENIX}, size_gb=50)
    cloud.advance(10 * 60)  # a 50 GB image: its export is still running
    code, out, err = run(capsys, monkeypatch, "--config-file", oci_config, "status", image.id, "--json")
    (region,) = json.loads(out)["data"][0]["regions"]
    assert (code, err, region["stage"], region["work-request-region"]) == (0, "", "export", SOURCE)
    assert region["progress"]["status"] == "IN_PROGRESS" and 0 < region["progress"]["percent-complete"] < 100
    assert region["seconds-left"] > 0
    code, out, _ = run(capsys, monkeypatch, "--config-file", oci_config, "status", image.id)
    row = next(line for line in out.splitlines() if line.split()[:1] == ["web"])
    assert "export" in row and "%" in row and "left" in row
    # --watch reads again after each interval (the simulated clock stands in for the wait) until done.
    waits: list[float] = []
    monkeypatch.setattr(
        "replicator_tools.cli.auth.time.sleep", lambda s: (waits.append(s), cloud.advance(s), cloud.run_until_idle())
    )
    code, out, err = run(capsys, monkeypatch, "--config-file", oci_config, "status", image.id, "--watch")
    assert (code, err) == (0, "") and waits == [30.0]
    assert out.rstrip().splitlines()[-1].endswith("until every region settles")
    assert any(line.split()[:3] == ["web", PHOENIX, "done"] for line in out.splitlines())


def test_latest_prints_the_family_s_marked_replica_in_a_region_and_its_newest_image_at_the_source(capsys, monkeypatch):
    code, out, err = run(capsys, monkeypatch, "--fake", "latest", "web-server", "--region", PHOENIX)
    replica = out.strip()
    assert (code, err) == (0, "") and replica.startswith("ocid1.image.oc1.phx.")
    code, out, _ = run(capsys, monkeypatch, "--fake", "latest", "web-server", "--region", PHOENIX, "--output", "json")
    doc = json.loads(out)["data"]
    assert (doc["image-id"], doc["kind"], doc["kept"]) == (replica, "replica", 1)
    code, out, _ = run(capsys, monkeypatch, "--fake", "latest", "web-server", "--output", "json")
    assert json.loads(out)["data"]["kind"] == "source"
    code, _, err = run(capsys, monkeypatch, "--fake", "latest", "no-such-family")
    assert code == 1 and err.startswith("error: no available version of family 'no-such-family'")
    code, out, _ = run(capsys, monkeypatch, "--fake", "status", "--summary", "--output", "json")
    families = json.loads(out)["data"]["families"]
    assert {(f["family"], f["region"], f["image-id"] == replica or f["region"] != PHOENIX) for f in families} == {
        ("web-server", PHOENIX, True),
        ("web-server", FRANKFURT, True),
    }


def test_retry_and_status_take_an_image_s_display_name(capsys, monkeypatch):
    code, out, err = run(capsys, monkeypatch, "--fake", "retry", "vendor-appliance", "--target", FRANKFURT)
    assert code == 1 and "refused for good" in err  # found by its name, then refused as by its OCID
    code, out, err = run(capsys, monkeypatch, "--fake", "retry", "vendor-appliance", "--target", FRANKFURT, "--force")
    assert (code, err) == (0, "") and out.startswith(f"vendor-appliance -> {FRANKFURT}: attempts count afresh")
    code, out, _ = run(capsys, monkeypatch, "--fake", "status", "web-server", "--json")
    assert code == 0 and [d["display-name"] for d in json.loads(out)["data"]] == ["web-server"]
    code, _, err = run(capsys, monkeypatch, "--fake", "status", "no-such-image")
    assert code == 1 and err.startswith(f"error: no source image named 'no-such-image' in {SOURCE}")


def test_a_name_several_images_carry_lists_them_and_exits_2(cloud, compartment, oci_config, capsys, monkeypatch):
    deploy(cloud, REGIONS, compartment)
    twins = [cloud.create_image(SOURCE, compartment, "web", freeform_tags={"replicate-to": PHOENIX}) for _ in range(2)]
    cloud.run_until_idle()
    env = {"IR_COMPARTMENTS": compartment}
    code, _, err = run(capsys, monkeypatch, "--config-file", oci_config, "retry", "web", "--target", PHOENIX, env=env)
    assert code == 2 and err.startswith("error: 2 images are named 'web': give one OCID:")
    assert all(t.id in err for t in twins) and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("statement", "operation"),
    [
        ("metrics", "PostMetricData"),
        ("read-buckets", "ListPreauthenticatedRequests"),
        ("signing-key", "GetSecretBundle"),
    ],
)
def test_a_grant_the_functions_lack_is_named_by_the_summary_after_one_pass(
    cloud, compartment, oci_config, capsys, monkeypatch, statement, operation
):
    """Missing grants change no record: Monitoring cannot show the refusal of its own PostMetricData,
    a PAR listing refused leaves no trace, a signing key that cannot be read only slows the
    replication. The pass's report names the call and the statement that grants it."""
    sandbox = deploy(
        cloud, REGIONS, compartment, {"IR_DEFAULT_REGIONS": PHOENIX}, without_statements=frozenset({statement})
    )
    cloud.create_image(SOURCE, compartment, "web", freeform_tags={"replicate-to": PHOENIX})
    cloud.run_until_idle()
    sandbox.reconcile_everywhere()
    cloud.run_until_idle()
    env = {"IR_COMPARTMENTS": compartment}
    _, out, err = run(capsys, monkeypatch, "--config-file", oci_config, "status", "--summary", env=env)
    passes = [line for line in out.splitlines() if line.startswith("PASSES")]
    assert err == "" and passes, out
    assert any(f"{operation} refused (404 " in line and f"grant '{statement}'" in line for line in passes), passes


def test_regions_whose_passes_stopped_reporting_or_never_reported_are_named():
    from replicator.health import PassHealth
    from replicator_tools.cli.views import pass_lines

    now = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
    found = {
        SOURCE: PassHealth(region=SOURCE, at=now - timedelta(minutes=50)),
        PHOENIX: PassHealth(region=PHOENIX, at=now - timedelta(hours=3, minutes=5)),
        FRANKFURT: None,
    }
    lines = pass_lines(found, now)
    assert len(lines) == 2  # a region whose last pass is recent and found nothing says nothing
    assert f"{PHOENIX}: no reconcile pass since 2030-01-01 08:55 UTC (3h05m)" in lines[1]
    assert f"{FRANKFURT}: no reconcile pass has reported yet" in lines[0]
