"""Parts every app shares: the staff roles, the month-set field, admin listing helpers and
safe spreadsheet cells. Nothing here imports from tourism, nursery or workforce, so the
apps' imports point one way: into ``core``, never back out of it."""
