"""A minimal function for testing ocifake's fdk harness: looks up the event's image."""

import datetime
import io
import json
import os

import oci
from fdk import response


def handler(ctx, data: io.BytesIO | None = None):
    signer = oci.auth.signers.get_resource_principals_signer()
    event = json.loads(data.getvalue())
    if event.get("fail"):
        raise RuntimeError("asked to fail")
    if event.get("time"):
        now = datetime.datetime.now(datetime.UTC)
        return response.Response(ctx, response_data=json.dumps({"now": now.isoformat()}))
    config = {"region": event["region"]} if "region" in event else {}
    client = oci.core.ComputeClient(config, signer=signer, retry_strategy=oci.retry.NoneRetryStrategy())
    image = client.get_image(event["data"]["resourceId"]).data
    body = {"state": image.lifecycle_state, "region": signer.region, "greeting": os.environ.get("GREETING")}
    print(json.dumps({"message": "looked up", "image": image.id}), flush=True)
    return response.Response(ctx, response_data=json.dumps(body), headers={"Content-Type": "application/json"})
