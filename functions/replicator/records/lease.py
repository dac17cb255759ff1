"""A claim on a step: one invocation does it, the others stand down until the lease ends."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class Lease(BaseModel):
    model_config = ConfigDict(defer_build=True)

    holder: str  # the invocation that claimed the step
    step: str = ""
    until: datetime

    def held_at(self, now: datetime) -> bool:
        return now < self.until
