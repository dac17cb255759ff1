"""Pre-authenticated requests lent to one call: their lifetimes, and their removal once the call is done."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from .config import ReplicatorConfig


def par_lifetime(config: ReplicatorConfig, size_in_mbs: int | None) -> timedelta:
    """Long enough for the transfer the request serves, which grows with the image.

    The configured lifetime is the floor; above it two minutes per GB plus two hours
    (a 400 GB image: about 15 hours). The request is deleted as soon as its step ends.
    """
    gb = (size_in_mbs or 0) / 1024
    return timedelta(minutes=max(config.par_lifetime_minutes, 120 + 2 * gb))


class LentPar:
    """A pre-authenticated request lent to one call. It is deleted when the step is done with
    it, whatever happened, unless `keep()` says a transfer started that reads or writes through
    it (the step that ends the transfer deletes it then)."""

    def __init__(self, par):
        self.par = par
        self.kept = False

    def keep(self) -> None:
        self.kept = True


@contextmanager
def lent_par(runtime, bucket: str, name: str, object_name: str, access: str, expires: datetime) -> Iterator[LentPar]:
    with lend(runtime, bucket, runtime.objects.create_par(bucket, name, object_name, access, expires)) as lent:
        yield lent


@dataclass(frozen=True)
class Borrowed:
    """A PAR another region made and lends this one (a direct transfer): nothing here to delete."""

    uri: str
    id: None = None


@contextmanager
def borrowed(uri: str) -> Iterator[LentPar]:
    yield LentPar(Borrowed(uri))


@contextmanager
def lend(runtime, bucket: str, par) -> Iterator[LentPar]:
    """`par`, made already, lent to the calls of the block."""
    lent = LentPar(par)
    try:
        yield lent
    finally:
        if not lent.kept:
            runtime.objects.delete_par(bucket, lent.par.id)
