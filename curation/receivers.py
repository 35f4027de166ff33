"""Write the audit rows that services of every app announce through `portal.audit`."""

from django.dispatch import receiver
from django.utils import timezone

from curation.models import CurationEvent
from portal.audit import audit_event


@receiver(audit_event, dispatch_uid="curation_event_write")
def curation_event_write(sender, *, actor, action, target_type, target_id, study, reason_category, note, data, **kw):
    CurationEvent.objects.create(
        actor=actor,
        action=action,
        target_type=target_type,
        target_id=target_id,
        study=study,
        reason_category=reason_category,
        note=note,
        data=data,
        at=timezone.now(),
    )
