"""QR labels of the register, printed as a PDF sheet (WeasyPrint) with QR codes from segno.

The QR payload
--------------
Each label's QR code encodes exactly::

    DTSS:<asset_tag>

for example ``DTSS:NT-2024-00017`` — the prefix ``DTSS:`` (upper case, a colon, no space)
followed by the device's asset tag as stored in the register, and nothing else (no URL, no
school, no personal data: a lost label tells a finder nothing). The asset tag is unique in its
county, so a stocktake scanner of that county finds the device from it. Scanners should also
accept a bare asset tag (what a person types from the printed text under the code).
Use `qr_payload()` to build it and `tag_from_payload()` to read it back.

The sheet is A4 with 3 × 8 labels of 70 × 37 mm (the common office label sheet); each label
carries the QR code, the asset tag in text, the school (or the county for its own stock) and
the model.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import segno
from django.template.loader import render_to_string

from dtss.devices.models import Device

PREFIX = "DTSS:"
MAX_LABELS = 2000  # one PDF at most this many labels (about 84 pages)


def qr_payload(device: Device) -> str:
    """What the device's QR code encodes: ``DTSS:<asset_tag>``."""
    return f"{PREFIX}{device.asset_tag}"


def tag_from_payload(payload: str) -> str:
    """The asset tag from a scanned code: ``DTSS:<tag>`` or a bare tag."""
    text = (payload or "").strip()
    if text.upper().startswith(PREFIX):
        return text[len(PREFIX) :].strip()
    return text


def qr_data_uri(payload: str) -> str:
    """The QR code as an SVG `data:` URI (error correction M: survives a scratched label)."""
    return segno.make(payload, error="m", micro=False).svg_data_uri(scale=4, border=2)


def label_rows(devices: Iterable[Device]) -> list[dict[str, Any]]:
    rows = []
    for d in devices:
        payload = qr_payload(d)
        rows.append(
            {
                "tag": d.asset_tag,
                "payload": payload,
                "qr": qr_data_uri(payload),
                "place": d.school.name if d.school_id else d.county.name,
                "model": " ".join(x for x in (d.manufacturer, d.model_name) if x)
                or d.get_kind_display(),
            }
        )
    return rows


def render_labels_html(devices: Iterable[Device]) -> str:
    return render_to_string("devices/register/labels_pdf.html", {"labels": label_rows(devices)})


def render_labels_pdf(devices: Iterable[Device]) -> bytes:
    """The printable label sheet. WeasyPrint fetches nothing but the `data:` QR images."""
    from weasyprint import HTML

    from dtss.framework.reports import pdf_fetcher

    html = render_labels_html(devices)
    return HTML(string=html, url_fetcher=pdf_fetcher(), media_type="print").write_pdf()
