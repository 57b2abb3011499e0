"""What the command centre lets a role do."""

from __future__ import annotations

from fangkong.core.auth import declare

# Run the command centre: groups and their people, any task, teams, the duty rota.
COMMAND = declare("command", "commander")
# Read the boards: tasks, places, teams, the rota (each scoped to the actor's reach).
READ_COMMAND = declare("read_command", "commander", "tracer", "viewer", "site", "lab", "checkpoint")
# Work the tasks one is answerable for: progress, notes, done.
WORK_TASKS = declare("work_tasks", "commander", "tracer", "site", "lab", "checkpoint")
# Record a place's sampling, disinfection and closing; open tracing work.
RECORD_PLACES = declare("record_places", "commander", "tracer")
