"""Follow what the upload services announce through `uploads.signals`."""

from django.dispatch import receiver

from submissions.services.drafts import submission_files_upload_replaced
from uploads.signals import upload_replaced


@receiver(upload_replaced, dispatch_uid="submissions_files_upload_replaced")
def files_follow_replaced_upload(sender, *, replaced, upload, **kwargs):
    submission_files_upload_replaced(replaced=replaced, upload=upload)
