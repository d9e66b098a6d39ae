"""Documents attached to a service's objects: stored safely, read back verified, withdrawn (never
silently lost).

- `storage`: where the bytes live (a local directory by default, an S3-compatible store when
  configured), behind one interface with atomic writes;
- `kinds`: what a kind of document may be (media types detected from the bytes, size limit);
- `models`: the `DocumentMixin` a service maps onto its own `documents` table;
- `service`: store / list / read / withdraw, audited, with outbox events;
- `checklist`: required kinds against the present documents (one evaluation for all);
- `router`: the HTTP routes for one owning object type, access exactly as the owner.
"""
