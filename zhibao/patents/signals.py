"""Signals of the patent corpus, so services that learn from it (pre-examination's IPC
suggestion, matching) follow imports without the corpus knowing them."""

from django.dispatch import Signal

# Sent after an import that created or updated patents; kwargs: report (ImportReport).
patents_imported = Signal()
