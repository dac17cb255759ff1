"""Should this image replicate, and where to: a pure function of the image, its region and the config."""

from pydantic import BaseModel, ConfigDict

from .config import ReplicatorConfig
from .images import ImageFacts
from .tenancies import place_problem

MAX_EXPORT_MB = 400 * 1024
DEFAULT_KEYWORD = "default"
# An image in these states is on its way to AVAILABLE (or back to it, after an export): not
# replicated now, but exposed in the regions it asks for, and reported so.
IN_MOTION = ("PROVISIONING", "IMPORTING", "EXPORTING")


class Decision(BaseModel):
    model_config = ConfigDict(defer_build=True, frozen=True)

    opted_in: bool
    targets: tuple[str, ...] = ()
    reason: str = ""
    # The targets it asks for while it is IN_MOTION: nothing is done for them now, and each is a gap.
    pending: tuple[str, ...] = ()

    @property
    def replicate(self) -> bool:
        return bool(self.targets)


def requested_regions(image: ImageFacts, config: ReplicatorConfig) -> str | None:
    """The raw opt-in value: the freeform tag, else the configured defined tag, else None."""
    value = image.freeform_tags.get(config.opt_in_tag)
    if value is None and config.opt_in_defined is not None:
        namespace, key = config.opt_in_defined
        raw = image.defined_tags.get(namespace, {}).get(key)
        value = None if raw is None else str(raw)
    return value


def decide(image: ImageFacts, source_region: str, config: ReplicatorConfig) -> Decision:
    """Targets after validation, or a skip with a precise reason; never raises."""
    if image.replica_of:
        return Decision(
            opted_in=False, reason=f"image is a replica of {image.replica_of}; replicas are never replicated"
        )
    value = requested_regions(image, config)
    if value is None:
        return Decision(opted_in=False, reason="image carries no opt-in tag")
    targets, problem = _parse_targets(value, source_region, config)
    if problem:
        return Decision(opted_in=True, reason=problem)
    if image.is_platform:
        return Decision(opted_in=True, reason="platform images cannot be exported")
    if image.lifecycle_state in IN_MOTION and targets:
        return Decision(
            opted_in=True, pending=targets, reason=f"image is {image.lifecycle_state}; replicated once AVAILABLE"
        )
    if image.lifecycle_state != "AVAILABLE":
        return Decision(opted_in=True, reason=f"image is {image.lifecycle_state}, not AVAILABLE")
    if image.size_in_mbs is not None and image.size_in_mbs > MAX_EXPORT_MB:
        return Decision(opted_in=True, reason=f"image is {image.size_in_mbs // 1024} GB; OCI exports at most 400 GB")
    if not targets:
        return Decision(opted_in=True, reason="no target region other than the source region")
    return Decision(opted_in=True, targets=targets)


def _parse_targets(value: str, source_region: str, config: ReplicatorConfig) -> tuple[tuple[str, ...], str]:
    names = [part.strip().lower() for part in value.split(",") if part.strip()]
    if not names:
        return (), f"tag {config.opt_in_tag} is empty"
    expanded: list[str] = []
    for name in names:
        if name == DEFAULT_KEYWORD:
            if not config.default_regions:
                return (), f"tag asks for '{DEFAULT_KEYWORD}' but no default regions are configured"
            expanded.extend(config.default_regions)
        else:
            expanded.append(name)
    unique = list(dict.fromkeys(expanded))
    if len(unique) > config.max_targets + 1:
        return (), f"tag names {len(unique)} regions; at most {config.max_targets} targets are allowed"
    # `dr:us-phoenix-1`: a region of another tenancy, accepted only if IR_TENANCIES names it.
    aliases = {peer.alias for peer in config.tenancies}
    unknown = [(r, problem) for r in unique if (problem := place_problem(r, aliases))]
    if unknown:
        if any(":" in r for r, _ in unknown):
            return (), "; ".join(f"{_short(r)}: {problem}" for r, problem in unknown[:5])
        return (), f"unknown region name(s): {', '.join(_short(r) for r, _ in unknown[:5])}"
    if config.allowed_regions:
        refused = [r for r in unique if r not in config.allowed_regions and r != source_region]
        if refused:
            return (), f"region(s) not on the allowed list: {', '.join(refused)}"
    targets = tuple(r for r in unique if r != source_region)
    if len(targets) > config.max_targets:
        return (), f"tag names {len(targets)} target regions; at most {config.max_targets} are allowed"
    return targets, ""


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."
