# The reports app aggregates the other apps' tables; it has no tables of its own yet.
