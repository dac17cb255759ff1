"""What each operation of Functions' control plane needs in IAM (`fn-app`, `fn-function`).

Not read on Oracle's Functions policy reference this time: marked unconfirmed (see
ocifake.identity.permissions). Invoking a function is InvokeFunction on `fn-invocation`
(identity.permissions.UNSERVED: schedules and Events rules invoke, no endpoint here).
"""

from ..identity.permissions import Need

PERMISSIONS: dict[str, Need] = {
    "ListApplications": Need("fn-app", "inspect", "FN_APP_LIST", confirmed=False),
    "GetApplication": Need("fn-app", "read", "FN_APP_READ", confirmed=False),
    "CreateApplication": Need("fn-app", "manage", "FN_APP_CREATE", confirmed=False),
    "UpdateApplication": Need("fn-app", "manage", "FN_APP_UPDATE", confirmed=False),
    "DeleteApplication": Need("fn-app", "manage", "FN_APP_DELETE", confirmed=False),
    "ListFunctions": Need("fn-function", "inspect", "FN_FUNCTION_LIST", confirmed=False),
    "GetFunction": Need("fn-function", "read", "FN_FUNCTION_READ", confirmed=False),
    "CreateFunction": Need("fn-function", "manage", "FN_FUNCTION_CREATE", confirmed=False),
    "UpdateFunction": Need("fn-function", "manage", "FN_FUNCTION_UPDATE", confirmed=False),
    "DeleteFunction": Need("fn-function", "manage", "FN_FUNCTION_DELETE", confirmed=False),
}
VARIABLES: frozenset[str] = frozenset()
