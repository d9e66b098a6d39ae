"""Documents of licence applications (the end-user certificate and other party documents), the
checklist of what an application needs, and the licence and refusal letters as PDF."""
