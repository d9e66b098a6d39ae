"""Documents of the fund's dossiers (photos, estimates, invoices, the insurer's statement) and
the decision letters it generates, stored with the kit's documents module."""
