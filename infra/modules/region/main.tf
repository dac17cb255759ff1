# Everything the replicator needs in one region: two private buckets, the function (on a
# private subnet that reaches Oracle services through a service gateway only), the Events
# rules read from events/rules/, the schedule of the reconcile pass, the function's invoke
# log, a Notifications topic, and the alarms read from monitoring/alarms/.
#
# One file per concern: buckets.tf, network.tf, signing.tf, functions.tf, events.tf,
# schedule.tf, monitoring.tf; the variables each takes are in variables.tf.
