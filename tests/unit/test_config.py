"""The function configuration: typed, with errors that name the variable."""

import pytest

from replicator.config import ReplicatorConfig, env_keys
from replicator.errors import ConfigError


def test_empty_environment_gives_the_documented_defaults():
    config = ReplicatorConfig.from_env({"PATH": "/bin", "FN_FN_ID": "x"})
    assert (config.staging_bucket, config.landing_bucket, config.opt_in_tag, config.object_prefix) == (
        "image-replicator-staging",
        "image-replicator-landing",
        "replicate-to",
        "image-replicator/",
    )
    assert config.delete_intermediate_objects is True


def test_values_are_parsed_from_strings():
    config = ReplicatorConfig.from_env(
        {
            "IR_DEFAULT_REGIONS": " US-Phoenix-1 , eu-frankfurt-1,",
            "IR_PAR_LIFETIME_MINUTES": "60",
            "IR_DELETE_INTERMEDIATE_OBJECTS": "false",
            "IR_TARGET_COMPARTMENT_ID": "",
        }
    )
    assert config.default_regions == ("us-phoenix-1", "eu-frankfurt-1")
    assert (config.par_lifetime_minutes, config.delete_intermediate_objects, config.target_compartment_id) == (
        60,
        False,
        None,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"IR_DEFAULT_REGIONS": "mars-1"}, "IR_DEFAULT_REGIONS"),
        ({"IR_PAR_LIFETIME_MINUTES": "5"}, "IR_PAR_LIFETIME_MINUTES"),
        ({"IR_OBJECT_PREFIX": "no-slash"}, "IR_OBJECT_PREFIX"),
        ({"IR_OPT_IN_DEFINED_TAG": "nodot"}, "IR_OPT_IN_DEFINED_TAG"),
        ({"IR_TARGET_COMPARTMENT_ID": "ocid1.bucket.oc1..x"}, "IR_TARGET_COMPARTMENT_ID"),
        ({"IR_STAGNG_BUCKET": "typo"}, "unknown configuration keys: IR_STAGNG_BUCKET"),
        ({"IR_ALLOWED_REGIONS": "us-phoenix-1", "IR_DEFAULT_REGIONS": "uk-london-1"}, "outside allowed_regions"),
    ],
)
def test_bad_values_are_config_errors_naming_the_variable(env, message):
    with pytest.raises(ConfigError) as e:
        ReplicatorConfig.from_env(env)
    assert message in e.value.reason


def test_every_setting_has_an_environment_key_with_its_default():
    keys = env_keys()
    assert keys["IR_STAGING_BUCKET"] == "image-replicator-staging"
    assert keys["IR_DELETE_INTERMEDIATE_OBJECTS"] == "true"
    assert set(keys) == {"IR_" + name.upper() for name in ReplicatorConfig.model_fields}
