"""UU 27/2022: NIK and No. KK masked for oversight roles; every full record viewed and every
export logged; uploads limited, stored through Django's storage and served only after a
check."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AccessLog
from enrollment import views as enrollment_views
from jobs.models import Job

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "sees_full"),
    [
        ("operator_a", True),
        ("lurah_a", True),
        ("verifier", True),
        ("dukcapil", True),
        ("admin_user", True),
        ("panewu_a", False),
        ("leadership", False),
    ],
)
def test_nik_and_kk_are_masked_for_oversight_roles(persona, sees_full, client, world, request):
    client.force_login(request.getfixturevalue(persona))

    def masked(number):
        return f"{number[:6]}******{number[-4:]}"

    proposed = world.item.person
    pages = [
        (reverse("sktm:form_list"), world.form.nik),
        (reverse("sktm:form_detail", args=[world.form.pk]), world.form.kk_number),
        (reverse("enrollment:person_detail", args=[world.person.pk]), world.person.nik),
        (reverse("enrollment:person_detail", args=[world.person.pk]), world.form.kk_number),
        (reverse("verification:proposal_detail", args=[world.proposal.pk]), proposed.nik),
        (
            reverse("verification:proposal_detail", args=[world.proposal.pk]),
            proposed.household.number,
        ),
    ]
    for url, number in pages:
        page = client.get(url).content.decode()
        assert (number in page) is sees_full, url
        assert (masked(number) in page) is not sees_full, url


def logged(**filters):
    return list(AccessLog.objects.filter(**filters).values_list("action", "rows", "what"))


def test_each_full_record_view_is_logged(client, world, panewu_a):
    client.force_login(panewu_a)
    client.get(reverse("enrollment:person_detail", args=[world.person.pk]))
    client.get(reverse("sktm:form_detail", args=[world.form.pk]))
    client.get(reverse("verification:proposal_detail", args=[world.proposal.pk]))
    entries = AccessLog.objects.filter(actor=panewu_a).order_by("at", "pk")
    assert [(e.action, e.object_type, e.rows, e.role) for e in entries] == [
        ("view", "people.Person", 1, "district_head"),
        ("view", "sktm.VerificationForm", 1, "district_head"),
        ("view", "verification.Proposal", 2, "district_head"),
    ]
    assert entries[0].path == reverse("enrollment:person_detail", args=[world.person.pk])


def test_each_export_is_logged_with_its_rows(client, world, verifier):
    client.force_login(verifier)
    exports = [
        reverse("verification:lampiran_d_xlsx", args=[world.proposal.pk]),
        reverse("verification:lampiran_d_pdf", args=[world.proposal.pk]),
        reverse("sktm:letter_pdf", args=[world.letter.pk]),
        reverse("sktm:lampiran_a_pdf", args=[world.form.pk]),
        reverse("jobs:download", args=[world.job.pk]),
    ]
    for url in exports:
        assert client.get(url).status_code == 200, url
    # The roster export is a job: its file is logged when downloaded.
    roster_job = client.post(reverse("enrollment:roster_export")).url.rstrip("/").rsplit("/")[-1]
    exports.append(reverse("jobs:download", args=[roster_job]))
    assert client.get(exports[-1]).status_code == 200
    rows = {entry.path: entry.rows for entry in AccessLog.objects.filter(action="export")}
    assert set(rows) == set(exports)
    assert rows[exports[0]] == 2 and rows[exports[1]] == 2 and rows[exports[2]] == 1


def test_instruksi_exports_and_attachments_are_logged(client, world, leadership):
    client.force_login(leadership)
    client.get(reverse("instructions:matrix_xlsx", args=[world.instruction.pk]))
    client.get(reverse("instructions:attachment", args=[world.attachment.pk]))
    assert {entry.what for entry in AccessLog.objects.filter(actor=leadership)} == {
        "Rekap laporan Instruksi .xlsx",
        "bukti.pdf",
    }


def test_a_refused_request_logs_nothing(client, world, operator_b):
    client.force_login(operator_b)
    assert (
        client.get(reverse("enrollment:person_detail", args=[world.person.pk])).status_code == 404
    )
    assert not AccessLog.objects.exists()


def test_admins_read_the_log_and_nobody_edits_it(client, world, admin_user, verifier):
    client.force_login(verifier)
    client.get(reverse("enrollment:person_detail", args=[world.person.pk]))
    entry = AccessLog.objects.get()
    client.force_login(admin_user)
    listing = client.get(reverse("admin:audit_accesslog_changelist"))
    assert listing.status_code == 200 and "verifikator" in listing.content.decode()
    assert client.get(reverse("admin:audit_accesslog_change", args=[entry.pk])).status_code == 200
    assert client.get(reverse("admin:audit_accesslog_add")).status_code == 403
    assert client.post(reverse("admin:audit_accesslog_delete", args=[entry.pk])).status_code == 403


# Uploads --------------------------------------------------------------------------------


def upload(client, content, name):
    return client.post(
        reverse("enrollment:import_participants"), {"file": SimpleUploadedFile(name, content)}
    )


def stored_imports():
    return default_storage.listdir("imports")[1] if default_storage.exists("imports") else []


def test_import_refuses_a_file_over_the_limit_and_keeps_nothing(
    client, admin_user, settings, tmp_path, monkeypatch
):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(enrollment_views, "MAX_UPLOAD_BYTES", 1024)
    client.force_login(admin_user)
    response = upload(client, b"nik,no_kk\n" + b"1" * 2048, "peserta.csv")
    assert "Berkas lebih dari" in response.context["error"]
    assert stored_imports() == []


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"MZ\x90\x00binary", "peserta.exe", "Unggah berkas .xlsx atau .csv."),
        (b"PK\x03\x04not really a workbook", "peserta.xlsx", "Berkas .xlsx rusak"),
        (b"%PDF-1.4 a pdf named xlsx", "peserta.xlsx", "Berkas .xlsx rusak"),
        (
            ("nik,no_kk,nama,dusun,rt,rw,kode_desa,bulan_mulai\n1,1,Sitì,a,1,1,x,2026-01\n").encode(
                "latin-1"
            ),
            "peserta.csv",
            "UTF-8",
        ),
    ],
)
def test_import_refuses_a_wrong_type_and_keeps_nothing(
    content, name, message, client, admin_user, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(admin_user)
    response = upload(client, content, name)
    if response.status_code == 302:  # checked by the preview job, which failed
        job = Job.objects.get(pk=response.url.rstrip("/").rsplit("/", 1)[-1])
        assert job.status == Job.Status.FAILED
        error = job.error
    else:
        error = response.context["error"]
    assert message in error
    assert stored_imports() == []


def test_uploads_go_through_django_storage_never_a_public_url(settings, world, client, operator_b):
    assert settings.STORAGES["default"]["BACKEND"]
    assert world.attachment.file.storage is default_storage
    assert world.job.result_file.storage is default_storage
    # No URL of the project serves MEDIA_ROOT: files leave only through checked views.
    client.force_login(operator_b)
    assert client.get("/media/" + world.attachment.file.name).status_code == 404
    assert (
        client.get(reverse("instructions:attachment", args=[world.attachment.pk])).status_code
        == 404
    )
