"""dkbuza_kit: the small common library every DKBUZA app is built from.

One module per concern (settings, problems, auth, db, audit, idempotency, jobs, calendar ...),
so that each service only adds its domain.
"""
