"""Resource Scheduler: schedules that invoke functions on the simulated clock."""
