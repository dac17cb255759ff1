"""What each operation of Notifications needs in IAM, and the variables its policies may read.

From OCI's policy reference pages; an entry marked `confirmed=False` is not named there and asks
for the stricter reading (see ocifake.identity.permissions).
"""

from ..identity.permissions import Need

# From "Details for Notifications": subscribing (and reading or deleting a subscription) is a use of
# its topic (ONS_TOPIC_SUBSCRIBE), which manage ons-subscriptions also grants; here only the topic's
# grant is read, the stricter of the two.
PERMISSIONS: dict[str, Need] = {
    "PublishMessage": Need("ons-topics", "use", "ONS_TOPIC_PUBLISH"),
    "ListTopics": Need("ons-topics", "inspect", "ONS_TOPIC_INSPECT"),
    "GetTopic": Need("ons-topics", "read", "ONS_TOPIC_READ"),
    "CreateTopic": Need("ons-topics", "manage", "ONS_TOPIC_CREATE"),
    "UpdateTopic": Need("ons-topics", "manage", "ONS_TOPIC_UPDATE"),
    "DeleteTopic": Need("ons-topics", "manage", "ONS_TOPIC_DELETE"),
    "ListSubscriptions": Need("ons-subscriptions", "inspect", "ONS_SUBSCRIPTION_INSPECT"),
    "CreateSubscription": Need("ons-topics", "use", "ONS_TOPIC_SUBSCRIBE"),
    "GetSubscription": Need("ons-topics", "use", "ONS_TOPIC_SUBSCRIBE"),
    "DeleteSubscription": Need("ons-topics", "use", "ONS_TOPIC_SUBSCRIBE"),
}
# Variables this service adds to the general ones; a condition on any other never matches.
VARIABLES: frozenset[str] = frozenset()
