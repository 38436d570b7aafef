"""The whole flow in a browser, on a phone-sized screen: an SKTM scored, signed off and
printed, the person proposed, sent, approved and enrolled, and the month's Lampiran D
exported by the admin and read back."""

import datetime
import io
from pathlib import Path

import openpyxl
import pyotp
import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from accounts.models import AuthenticatorDevice, Role
from enrollment.models import LedgerEntry
from enrollment.participation import is_active
from people.models import Person
from sktm.models import Letter, VerificationForm
from tests.builders import (
    KULON_PROGO,
    LONG_AGO,
    NOT_POOR_9,
    POOR_15,
    VILLAGE_A,
    VILLAGE_B,
    propose,
)
from tests.e2e.pages import empty_the_ledger, fill_sktm_form
from tests.factories import PersonFactory, UserFactory, regency, village
from verification import services as proposal_services
from verification.models import Decision, Proposal, ProposalStatus

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # In about one full run in four, on either database, the live server stops answering
    # after the operator's first submission; alone these tests never fail. Until the cause is
    # found (docs/development.md), a second try keeps a hang from hiding the other results.
    pytest.mark.flaky(reruns=2),
]

THIS_MONTH = datetime.date.today().replace(day=1)


@pytest.fixture
def people(committed_reference_data):
    """The personas of the flow; the verifier and the admin use an authenticator."""
    users = {
        "operator": UserFactory(
            username="operator_a", role=Role.OPERATOR, village=village(VILLAGE_A)
        ),
        "lurah": UserFactory(
            username="lurah_a", role=Role.VILLAGE_HEAD, village=village(VILLAGE_A)
        ),
        "operator_b": UserFactory(
            username="operator_b", role=Role.OPERATOR, village=village(VILLAGE_B)
        ),
        "verifier": UserFactory(
            username="verifikator", role=Role.VERIFIER, regency=regency(KULON_PROGO)
        ),
        "admin": UserFactory(username="admin", role=Role.ADMIN, is_staff=True, is_superuser=True),
    }
    for key in ("verifier", "admin"):
        AuthenticatorDevice.objects.create(user=users[key], secret=pyotp.random_base32())
    yield users
    empty_the_ledger()


def test_sktm_to_participant_to_lampiran_d(as_user, people):
    # The operator fills Lampiran A on a phone and sees the score as the form fills.
    operator = as_user(people["operator"])
    operator.go("/sktm/baru/")
    fill_sktm_form(operator.page, POOR_15)
    score = operator.page.locator("#score")
    score.get_by_text("TERMASUK KATEGORI MASYARAKAT TIDAK MAMPU").wait_for()
    assert "15" in score.inner_text()
    operator.shot("operator-sktm-score")
    operator.page.click("button:has-text('Ajukan ke')")
    operator.message("Formulir diajukan dengan skor 15")
    form = VerificationForm.objects.get(nik=POOR_15["nik"])

    # The Lurah acknowledges it, issues the letter and downloads it.
    lurah = as_user(people["lurah"])
    lurah.go(f"/sktm/{form.pk}/")
    lurah.page.on("dialog", lambda dialog: dialog.accept())  # Terbitkan SKTM asks first
    lurah.page.click("button:has-text('Mengetahui')")
    lurah.page.click("button:has-text('Terbitkan SKTM')")
    lurah.message("SKTM diterbitkan.")
    lurah.shot("lurah-sktm-issued")
    letter = Letter.objects.get(form=form)
    content = lurah.download("Unduh SKTM (PDF)")
    assert content.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert letter.number in " ".join(text.split())

    # The operator adds the person to the month's Usulan on ground c.2 (the SKTM).
    operator.go("/usulan/")
    operator.page.click(f"button[name=month][value='{THIS_MONTH:%Y-%m-%d}']")
    operator.page.click("a:has-text('Tambah penduduk ke usulan')")
    operator.page.select_option("select[name=ground]", "add_c2")
    operator.page.fill("input[name=nik]", POOR_15["nik"])
    operator.page.select_option("select[name=faskes]", index=1)
    # Lampiran D prints both; the SKTM form asked neither.
    operator.page.select_option("select[name=relationship]", "1")
    operator.page.select_option("select[name=marital_status]", "2")
    evidence = operator.page.locator("fieldset[data-ground-for=add_c2]")
    evidence.locator("input[name=domicile_since]").fill("2015-03-01")
    evidence.locator("select[name=domicile_document]").select_option("KTP dan KK")
    evidence.locator("input[name=no_other_cover]").check()
    operator.shot("operator-usulan-item")
    operator.page.click("button:has-text('Simpan ke usulan')")
    operator.message("ditambahkan ke usulan")

    # The Lurah sends it to Dinas Sosial.
    proposal_url = operator.page.url.removeprefix(operator.base)
    lurah.go(proposal_url)
    # Kirim usulan and Setujui semua ask first (data-confirm, static/js/site.js): yes.
    lurah.page.on("dialog", lambda dialog: dialog.accept())
    lurah.page.click("button:has-text('Kirim usulan')")
    lurah.message("Usulan dikirim ke Dinas Sosial.")

    # The Tim Verifikasi (second login step) approves: the person is a participant.
    verifier = as_user(people["verifier"])
    verifier.go(proposal_url)
    verifier.page.on("dialog", lambda dialog: dialog.accept())
    verifier.page.click("button:has-text('Setujui semua yang belum diputuskan')")
    verifier.message("1 penduduk disetujui.")
    verifier.shot("verifier-approved")
    person = Person.objects.get(nik=POOR_15["nik"])
    assert is_active(person)
    verifier.go(f"/peserta/?q={person.nik}")
    verifier.page.get_by_text(person.name).first.wait_for()
    verifier.shot("verifier-roster")

    # The admin exports the month's Lampiran D for the kabupaten and reads it back.
    admin = as_user(people["admin"])
    admin.go("/usulan/ekspor/")
    admin.page.fill("input[name=month]", f"{THIS_MONTH:%Y-%m}")
    admin.page.click("button:has-text('Buat berkas')")
    admin.page.locator("[data-testid=job-download]").wait_for()
    admin.shot("admin-lampiran-d-ready")
    with admin.page.expect_download() as info:
        admin.page.click("[data-testid=job-download]")
    sheet = openpyxl.load_workbook(io.BytesIO(Path(info.value.path()).read_bytes())).active
    cells = [str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if cell]
    assert person.nik in cells and person.name in cells
    assert "FORM USULAN PESERTA JAMINAN KESEHATAN PBI PEMDA" in cells


def test_a_form_scoring_9_offers_no_letter(as_user, people):
    operator = as_user(people["operator"])
    operator.go("/sktm/baru/")
    fill_sktm_form(operator.page, NOT_POOR_9)
    operator.page.locator("#score").get_by_text("TIDAK TERMASUK").wait_for()
    operator.page.click("button:has-text('Ajukan ke')")
    operator.message("Formulir diajukan dengan skor 9")
    form = VerificationForm.objects.get(nik=NOT_POOR_9["nik"])
    lurah = as_user(people["lurah"])
    lurah.go(f"/sktm/{form.pk}/")
    lurah.page.click("button:has-text('Mengetahui')")
    lurah.message("Formulir diketahui.")
    lurah.shot("lurah-score-9-no-letter")
    assert lurah.page.locator("button:has-text('Terbitkan SKTM')").count() == 0
    assert not Letter.objects.filter(form=form).exists()


def test_operator_of_another_village_gets_404_on_the_form(as_user, people):
    operator = as_user(people["operator"])
    operator.go("/sktm/baru/")
    fill_sktm_form(operator.page, POOR_15)
    operator.page.click("button:has-text('Ajukan ke')")
    operator.message("Formulir diajukan")
    form = VerificationForm.objects.get(nik=POOR_15["nik"])
    other = as_user(people["operator_b"])
    response = other.go(f"/sktm/{form.pk}/")
    assert response.status == 404
    other.shot("operator-b-404")


def submitted_proposal(people, size):
    """An Usulan of village A holding `size` residents, sent to Dinas Sosial."""
    proposal = proposal_services.proposal_open(actor=people["operator"], month=THIS_MONTH)
    for person in PersonFactory.create_batch(
        size, domicile_since=LONG_AGO, household__village=village(VILLAGE_A)
    ):
        propose(people["operator"], proposal, person)
    return proposal_services.proposal_submit(
        actor=people["lurah"], proposal=proposal, place="Jangkaran"
    )


def test_the_verifier_decides_twenty_people_in_place(as_user, people):
    proposal = submitted_proposal(people, 20)
    items = list(proposal.items.order_by("pk"))
    verifier = as_user(people["verifier"])
    page = verifier.page
    verifier.go(f"/usulan/{proposal.pk}/")
    counter = page.locator("[data-testid=decision-counter]")
    counter.get_by_text("0 dari 20 diputuskan").wait_for()
    # A full page load would lose this mark and count a navigation of the main frame.
    page.evaluate("window.__marker = 1")
    loads = []
    page.on(
        "framenavigated",
        lambda frame: loads.append(frame.url) if frame is page.main_frame else None,
    )

    # A rejection without its reason is refused at the row, in sight, and decides nothing.
    first = page.locator(f"#item-{items[0].pk}")
    first.get_by_role("button", name="Tolak").click()
    refusal = first.locator("[data-testid=row-refusal]")
    refusal.get_by_text("Pilih alasan penolakan.").wait_for()
    assert refusal.evaluate("element => element === document.activeElement")
    box, viewport = refusal.bounding_box(), page.viewport_size
    assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"]

    # Three rejected with a reason, by pointer; the other seventeen approved by keyboard
    # alone: after each decision the focus sits on the next undecided person's Setujui.
    rejected = items[:3]
    for count, item in enumerate(rejected, start=1):
        row = page.locator(f"#item-{item.pk}")
        row.locator("select[name=reason]").select_option("evidence")
        row.locator("input[name=reason_text]").fill("Bukti tidak terbaca")
        row.get_by_role("button", name="Tolak").click()
        counter.get_by_text(f"{count} dari 20 diputuskan").wait_for()
    verifier.shot("verifier-deciding-in-place")
    for count, item in enumerate(items[3:], start=4):
        # htmx moves the focus once the swapped rows have settled.
        expect(page.locator(f"#item-{item.pk} button[value=approved]")).to_be_focused()
        page.keyboard.press("Enter")
        counter.get_by_text(f"{count} dari 20 diputuskan").wait_for()

    counter.get_by_text("usulan selesai diverifikasi").wait_for()
    assert page.locator("button:has-text('Setujui semua')").count() == 0
    verifier.shot("verifier-decided-twenty")
    assert page.evaluate("window.__marker") == 1
    assert loads == []
    proposal = Proposal.objects.get(pk=proposal.pk)
    assert proposal.status == ProposalStatus.CLOSED
    assert proposal.items.filter(decision=Decision.REJECTED).count() == 3
    assert LedgerEntry.objects.count() == 17
