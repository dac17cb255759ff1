"""The payload of a scheduled (or manual) invocation: `{"action": "reconcile"}`, or the drill tick's
`{"action": "drills"}`."""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import InvalidEvent


class ReconcileRequest(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid", populate_by_name=True)

    action: Literal["reconcile", "drills"]  # a whole pass, or the drill tick (drills under way only)
    dry_run: bool = Field(False, alias="dryRun")

    @classmethod
    def parse(cls, payload: Any) -> "ReconcileRequest | None":
        """The request if `payload` asks for a reconcile pass, None if it is something else."""
        if not isinstance(payload, dict) or "action" not in payload:
            return None
        try:
            return cls.model_validate(payload)
        except ValidationError as exc:
            raise InvalidEvent(f"not a reconcile request: {exc.errors()[0]['msg']}") from None
