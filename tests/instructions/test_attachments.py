import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from instructions import attachments
from instructions.models import Attachment, LineStatus
from tests.builders import PDF, PNG, edit_data

pytestmark = pytest.mark.django_db


def post_edit(client, report, **kwargs):
    line = report.lines.get(item__letter="c")
    url = reverse("instructions:report_edit", args=[report.pk])
    return client.post(url, edit_data(report, line, **kwargs), follow=True), line


def test_pdf_attachment_is_stored_and_served_to_its_readers_only(
    client, village_report, kades, camat, kades_other, camat_other
):
    client.force_login(kades)
    response, line = post_edit(
        client,
        village_report,
        upload=SimpleUploadedFile("perdes APBDes.pdf", PDF, "application/pdf"),
        status=LineStatus.DONE,
        figure="15000000",
        figure_unit="Rupiah",
    )
    assert "Laporan disimpan." in response.content.decode()
    attachment = Attachment.objects.get()
    assert (attachment.name, attachment.content_type, attachment.line) == (
        "perdes APBDes.pdf",
        "application/pdf",
        line,
    )
    assert "perdes" not in attachment.file.name
    url = reverse("instructions:attachment", args=[attachment.pk])
    for reader in (kades, camat):
        client.force_login(reader)
        download = client.get(url)
        assert download.status_code == 200
        assert b"".join(download.streaming_content) == PDF
        assert download["Content-Type"] == "application/pdf"
    for outsider in (kades_other, camat_other):
        client.force_login(outsider)
        assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("foto.png", PNG + b"\x00" * attachments.MAX_BYTES, "lebih dari 5 MB"),
        ("program.pdf", b"MZ\x90\x00 not a pdf", "hanya PDF, JPEG atau PNG"),
        ("catatan.txt", b"%PDF-1.4 but named .txt", "hanya PDF, JPEG atau PNG"),
        ("kosong.pdf", b"", "kosong"),
    ],
)
def test_bad_attachment_is_refused_and_nothing_is_written(
    client, village_report, kades, name, content, message
):
    client.force_login(kades)
    response, line = post_edit(
        client,
        village_report,
        upload=SimpleUploadedFile(name, content),
        narrative="Tidak boleh tersimpan",
    )
    assert message in response.content.decode()
    line.refresh_from_db()
    assert line.narrative == "" and not Attachment.objects.exists()


def test_png_attachment_is_accepted_and_deleted_while_draft(
    client, village_report, kades, django_capture_on_commit_callbacks
):
    client.force_login(kades)
    post_edit(client, village_report, upload=SimpleUploadedFile("foto.png", PNG))
    attachment = Attachment.objects.get()
    assert attachment.content_type == "image/png"
    storage, name = attachment.file.storage, attachment.file.name
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("instructions:attachment_delete", args=[attachment.pk]))
    assert not Attachment.objects.exists()
    assert not storage.exists(name)


def test_figure_without_unit_is_refused(client, village_report, kades):
    client.force_login(kades)
    response, line = post_edit(client, village_report, figure="100", figure_unit="")
    assert "Sebutkan satuan angka" in response.content.decode()
    line.refresh_from_db()
    assert line.figure is None
