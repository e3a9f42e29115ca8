"""QR labels: the payload format, and the printable PDF sheet."""

from __future__ import annotations

import io
from typing import Any

from django.urls import reverse
from pypdf import PdfReader

from dtss.core.models import AuditEntry
from dtss.devices import labels
from dtss.devices.tests.factories import make_device


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def test_qr_payload_is_prefix_and_tag_only(world: Any) -> None:
    d = make_device(world, asset_tag="NT-2024-00017", serial="SECRET-SN", model_name="iPad 10")
    assert labels.qr_payload(d) == "DTSS:NT-2024-00017"
    assert labels.tag_from_payload("DTSS:NT-2024-00017") == "NT-2024-00017"
    assert labels.tag_from_payload(" dtss:NT-1 ") == "NT-1"
    assert labels.tag_from_payload("NT-1") == "NT-1"
    rows = labels.label_rows([d])
    assert rows[0]["payload"] == "DTSS:NT-2024-00017"
    assert rows[0]["qr"].startswith("data:image/svg+xml")
    # the HTML names the payload for the QR image and never the serial
    html = labels.render_labels_html([d])
    assert 'alt="DTSS:NT-2024-00017"' in html and "SECRET-SN" not in html


def test_label_sheet_pdf(world: Any) -> None:
    a = make_device(world, asset_tag="LBL-001", model_name="Chromebook C1", manufacturer="Acer")
    b = make_device(world, asset_tag="LBL-002", model_name="iPad 10")
    make_device(world, asset_tag="LBL-003")
    make_device(world, "B-elem", asset_tag="LBL-B")
    client = world.client("elem_teacher")
    # selected devices (POST from the list's checkboxes); another county's id is ignored
    other = make_device(world, "B-elem", asset_tag="LBL-B2")
    r = client.post(
        reverse("devices:labels"),
        {"device": [str(a.public_id), str(b.public_id), str(other.public_id), "junk"]},
    )
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text = _text(r.content)
    assert "LBL-001" in text and "LBL-002" in text
    assert "LBL-003" not in text and "LBL-B2" not in text
    assert "Chromebook C1" in text
    assert "南投國小" in text  # the school's name
    assert AuditEntry.objects.filter(action="device.labels").exists()
    # the filtered list
    r = client.get(reverse("devices:labels"), {"q": "LBL-00"})
    text = _text(r.content)
    assert all(t in text for t in ("LBL-001", "LBL-002", "LBL-003")) and "LBL-B" not in text
    # one device, from its page
    r = client.get(reverse("devices:device_label", args=[b.public_id]))
    text = _text(r.content)
    assert "LBL-002" in text and "LBL-001" not in text


def test_labels_tenancy(world: Any) -> None:
    d = make_device(world, asset_tag="LBL-X")
    url = reverse("devices:device_label", args=[d.public_id])
    assert world.client("b_admin").get(url).status_code == 404
    assert world.client("junior_admin").get(url).status_code == 404
    assert world.client("elem_student").get(url).status_code == 403
    assert world.client("outsider").get(reverse("devices:labels")).status_code == 403
    # nothing visible: back to the list with a message, no PDF
    r = world.client("b_admin").post(reverse("devices:labels"), {"device": [str(d.public_id)]})
    assert r.status_code == 302
