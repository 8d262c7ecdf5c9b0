"""Launch plans (a workflow version bound to fixed and default inputs), their schedules (cron
with a time zone, fixed rates, a catch-up policy) and the scheduler that fires due plans exactly
once, however many scheduler processes run against one store."""
