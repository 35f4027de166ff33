"""Signals of the upload services, for apps on higher floors that must follow a change without being imported."""

from django.dispatch import Signal

# Sent inside the transaction that completes `upload`, just before `replaced` (the area's older
# complete file at the same path) is deleted. kwargs: replaced, upload.
upload_replaced = Signal()
