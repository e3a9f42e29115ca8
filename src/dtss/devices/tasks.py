"""Background work of the devices module, run by `dtss worker` through Django's Tasks framework.

- `device_import_task(import_id)`: check and save one queued register import (a DTSS register
  file or a Jamf School / Google Admin / Intune export), see `import_services.py`.
"""

from __future__ import annotations

from django.tasks import task


@task
def device_import_task(import_id: int) -> str:
    """Run one queued `DeviceImport`; returns its final status."""
    from dtss.devices.import_services import device_import_run
    from dtss.devices.models import DeviceImport

    job = DeviceImport.objects.filter(pk=import_id).first()
    if job is None:
        return "missing"
    return device_import_run(job=job).status
