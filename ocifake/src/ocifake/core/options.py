"""What a fake cloud is told at creation: behaviours where OCI's answer is unconfirmed, and durations."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Options:
    """Behaviours where OCI's real answer is unconfirmed; the defaults are the stricter reading."""

    resource_principal_rejects_tuple_form: bool = True
    copy_emits_object_event: bool = True
    export_emits_object_event: bool = True
    retry_token_reuse: str = "reject"  # "reject" (409) or "replay" (answer as the first request)
    # CopyObject's destination bucket and `if-none-match: *` checked when the request is made
    # (an error at once), or only when the copy runs (the work request FAILED).
    copy_preconditions_at_request: bool = True
    # The namespace of image update, delete and shape-compatibility events: OCI's published
    # lists disagree ("computeimagingapi" in Oracle's catalog, "computeapi" elsewhere).
    image_event_namespace: str = "computeimagingapi"
    raise_subscriber_errors: bool = False
    # IAM decides every signed request, as OCI does; turn it off to try SDK code without policies.
    iam_enforced: bool = True
    # Resource Scheduler documents daily, weekly and monthly iCalendar rules and cron; whether it
    # takes FREQ=HOURLY is unconfirmed, so it is refused unless this is set.
    scheduler_accepts_hourly_ical: bool = False
    # Custom images per region (OCI's default with Universal Credits; `compute(region).custom_image_limit`
    # sets one region's, as a tenancy's own limits may differ).
    custom_image_limit: int = 100
    # The size of the throwaway RSA keys the fake gives its principals (API key, resource principal,
    # session). 2048 bits as OCI asks of API keys; nothing a client does depends on the size, and
    # signing is half of a long simulation's CPU: a caller may ask for 1024 there.
    key_bits: int = 2048
    # Each API call's round trip, in real seconds (default none). A model parameter for benchmarks:
    # same-region OCI calls are assumed to take 20-50 ms (not measured here).
    call_latency_seconds: float = 0.0
    # The most images one ListImages page holds. The API takes `limit` up to 1000 (documented for
    # the same API on Oracle's Private Cloud Appliance); whether OCI serves pages that large is
    # unconfirmed. None: a page holds the limit asked; 100 models a service serving its default.
    list_images_page_serves: int | None = None
    # A copy into another tenancy's bucket: whether the requester's own right to write there
    # (Endorse and Admit) is checked besides the service's. Oracle's cross-tenancy copy example
    # grants both sides' policies to the copying group; whether OCI checks them for a
    # cross-region copy is unconfirmed. The stricter reading by default.
    cross_tenancy_copy_checks_requester: bool = True

    def __post_init__(self):
        if self.retry_token_reuse not in ("reject", "replay"):
            raise ValueError("retry_token_reuse must be 'reject' or 'replay'")
        if self.image_event_namespace not in ("computeapi", "computeimagingapi"):
            raise ValueError("image_event_namespace must be 'computeapi' or 'computeimagingapi'")


@dataclass
class Durations:
    """Simulated seconds per GB for the slow operations (50 GB: export 20 min, copy 15, import 30).

    Model parameters, none measured on OCI: the per-GB figures are assumptions of the order
    users report for 50 GB images. `copy_shares_bandwidth`: the copies a region runs at once
    share its bandwidth (each copy of 1 GB or more takes as many times longer as such copies are
    running from that region when it starts, a coarse stand-in for processor sharing; an import
    reading a PAR in another region is such a transfer too). `cross_region_import_per_gb`: an
    import whose source PAR is in another region also pays for that transfer: after its own
    time (the default: the upper bound), or, with `import_overlaps_transfer`, at the same time,
    the longer of the two deciding (the lower bound). How OCI's import reads a remote source is
    not documented; the two bounds are what a direct import's time lies between.

    A function invocation an event delivers takes `invocation` seconds, and `cold_start` more on
    a container's first one (Oracle documents a first invocation as "potentially several
    seconds, or longer" and a hot start as "usually sub-second"; both figures are assumptions
    within those words, not measurements). The cost is charged before the handler runs: what
    it does takes effect when it ends, as if every call were made at its end.

    An instance reaches RUNNING `instance_launch` seconds after its launch, prints its login
    prompt `instance_boot` seconds after that, is TERMINATED `instance_terminate` seconds after
    its termination; a console history is captured in `console_capture` seconds. Assumptions of
    the order the console shows for a small VM, not measurements."""

    export_per_gb: float = 24.0
    copy_per_gb: float = 18.0
    import_per_gb: float = 36.0
    capture_per_gb: float = 6.0
    minimum: float = 60.0
    copy_shares_bandwidth: bool = True
    cross_region_import_per_gb: float = 18.0
    import_overlaps_transfer: bool = False
    invocation: float = 0.5
    cold_start: float = 5.0
    instance_launch: float = 60.0
    instance_boot: float = 45.0
    instance_terminate: float = 30.0
    console_capture: float = 5.0

    def export(self, gb: float) -> float:
        return max(self.minimum, gb * self.export_per_gb)

    def copy(self, gb: float) -> float:
        return max(self.minimum, gb * self.copy_per_gb)

    def import_(self, gb: float) -> float:
        return max(self.minimum, gb * self.import_per_gb)

    def capture(self, gb: float) -> float:
        return max(self.minimum, gb * self.capture_per_gb)
