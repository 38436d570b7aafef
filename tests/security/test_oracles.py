"""Issue 14 finding 3: an operator learns nothing about residents outside their village from
refusals. A newborn's mother registered elsewhere is checked by the Tim Verifikasi, who sees the
whole kabupaten; so is an SKTM applicant whose NIK or No. KK is recorded in another village."""

import datetime
import io
import re

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from enrollment.models import LedgerEntry
from pbipemda import subject_access, waiting
from people.models import Household, HouseholdChange, Person
from sktm import services as sktm_services
from sktm.models import FormStatus, Letter, VerificationForm
from tests.builders import (
    POOR_15,
    VILLAGE_A,
    VILLAGE_B,
    enroll,
    faskes_id,
    post_data,
    resident,
    this_month,
)
from tests.factories import HouseholdFactory, PersonFactory, village
from verification import services, tasks
from verification.models import Decision, ProposalItem

pytestmark = pytest.mark.django_db

ABSENT_NIK = "3401024411850099"
BABY_NIK = "3401010101260001"


def newborn_post(mother_nik, baby_nik=BABY_NIK):
    return {
        "ground": "add_a",
        "nik": baby_nik,
        "name": "Bayi Tumini",
        "kk_number": "3401010203040005",
        "birth_place": "Kulon Progo",
        "birth_date": timezone.localdate().isoformat(),
        "sex": "P",
        "relationship": "4",
        "marital_status": "1",
        "occupation": "Belum bekerja",
        "dusun": "Kepek",
        "rt": "3",
        "rw": "1",
        "mother_nik": mother_nik,
        "faskes": faskes_id(),
    }


def add_newborn(client, operator, mother_nik):
    """The operator's answer to adding a newborn whose mother has `mother_nik`: the status and
    every message shown, then the draft emptied again for the next attempt."""
    proposal = services.proposal_open(actor=operator, month=this_month())
    response = client.post(
        reverse("verification:item_add", args=[proposal.pk]),
        newborn_post(mother_nik),
        follow=True,
    )
    shown = [str(message) for message in response.context["messages"]]
    ProposalItem.objects.filter(proposal=proposal).delete()
    return response.status_code, response.redirect_chain, shown


def test_a_mother_outside_the_village_gets_one_answer_whoever_she_is(client, operator_a, verifier):
    active = resident(VILLAGE_B)
    enroll(verifier, active)
    inactive = resident(VILLAGE_B)
    client.force_login(operator_a)

    answers = [add_newborn(client, operator_a, nik) for nik in (active.nik, inactive.nik)]
    answers.append(add_newborn(client, operator_a, ABSENT_NIK))

    assert answers[0] == answers[1] == answers[2]
    assert answers[0][1], "the newborn is accepted into the draft"


def test_a_duplicate_partner_outside_the_village_is_not_looked_up(client, operator_a):
    elsewhere = resident(VILLAGE_B)
    proposal = services.proposal_open(actor=operator_a, month=this_month())
    client.force_login(operator_a)
    answers = []
    for nik in (elsewhere.nik, ABSENT_NIK):
        response = client.post(
            reverse("verification:item_add", args=[proposal.pk]),
            {"ground": "rem_b", "nik": resident(VILLAGE_A).nik, "duplicate_nik": nik},
        )
        errors = response.context["form"].errors.get("duplicate_nik", [])
        answers.append((response.status_code, [error.replace(nik, "…") for error in errors]))
    assert answers[0] == answers[1]
    assert answers[0][1], "both are refused: a partner must be a resident of the village"


@pytest.fixture
def newborn_of(operator_a, lurah_a):
    """A submitted Usulan of village A proposing a newborn whose mother is named by NIK."""

    def submitted(mother_nik):
        proposal = services.proposal_open(actor=operator_a, month=this_month())
        household = HouseholdFactory(village=village(VILLAGE_A))
        baby = PersonFactory(household=household, birth_date=timezone.localdate())
        item = ProposalItem(
            person=baby,
            kind="addition",
            ground="add_a",
            mother_nik=mother_nik,
            faskes_id=faskes_id(),
        )
        item = services.item_add(actor=operator_a, proposal=proposal, item=item)
        services.proposal_submit(actor=lurah_a, proposal=proposal, place="Jangkaran")
        return item

    return submitted


def test_the_verifier_checks_the_mother_from_another_village(newborn_of, verifier):
    mother = resident(VILLAGE_B)
    item = newborn_of(mother.nik)
    with pytest.raises(ValidationError, match=f"Ibu \\(NIK {mother.nik}\\) bukan peserta"):
        services.item_decide(actor=verifier, item=item, decision=Decision.APPROVED)

    enroll(verifier, mother)
    services.item_decide(actor=verifier, item=item, decision=Decision.APPROVED)

    entry = LedgerEntry.objects.get(person=item.person)
    assert entry.mother == mother


def test_the_verifier_is_told_a_mother_nik_is_not_registered(newborn_of, verifier):
    item = newborn_of(ABSENT_NIK)
    with pytest.raises(ValidationError, match=f"NIK ibu {ABSENT_NIK} belum terdaftar"):
        services.item_decide(actor=verifier, item=item, decision=Decision.APPROVED)
    item.refresh_from_db()
    assert item.decision == Decision.PENDING


NEW_KK = "3401010101109999"


def blanked(text, data):
    """A page as the village reads it, less what differs between any two requests: CSRF
    tokens, ids in addresses, letter tokens, the time of day, and the NIK and KK typed."""
    for value, placeholder in ((data["nik"], "NIK"), (data["kk_number"], "KK")):
        text = text.replace(value, placeholder)
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "csrf", text)
    text = re.sub(r"/\d+(?=[/.])", "/ID", text)
    text = re.sub(r"/cek/[^/]+/", "/cek/TOKEN/", text)
    return re.sub(r"\d{2}:\d{2}", "HH:MM", text)


def village_sees(client, operator, lurah, data):
    """Every page the village gets applying for an SKTM with `data`, through the Lurah's
    acknowledgement to the issued letter and its PDF, as the village reads them; nothing of
    it is kept, so that each application starts from the same data."""
    pages = []

    def read(response):
        assert response.status_code == 200
        if response["Content-Type"] == "application/pdf":
            content = response.getvalue()
            reader = PdfReader(io.BytesIO(content))
            return " ".join(page.extract_text() for page in reader.pages)
        return response.content.decode()

    with transaction.atomic():
        client.force_login(operator)
        pages.append(read(client.post(reverse("sktm:form_create"), post_data(data), follow=True)))
        form = VerificationForm.objects.get(nik=data["nik"], village=operator.village)
        pages.append(read(client.get(reverse("sktm:form_list"))))
        lookup = (reverse("sktm:resident_lookup"), {"nik": data["nik"]})
        pages.append(read(client.get(*lookup)))
        pages.append(read(client.get(reverse("sktm:lampiran_a_pdf", args=[form.pk]))))
        client.force_login(lurah)
        for action in ("form_acknowledge", "letter_issue"):
            pages.append(read(client.post(reverse(f"sktm:{action}", args=[form.pk]), follow=True)))
        pages.append(read(client.get(reverse("sktm:letter_list"))))
        letter = Letter.objects.get(form=form)
        pages.append(read(client.get(reverse("sktm:letter_pdf", args=[letter.pk]))))
        pages.append(read(client.get(reverse("sktm:letter_verify", args=[letter.token]))))
        client.force_login(operator)
        pages.append(read(client.get(*lookup)))
        transaction.set_rollback(True)
    return [blanked(page, data) for page in pages]


def test_an_sktm_applicant_recorded_elsewhere_is_answered_as_a_new_one(
    client, settings, tmp_path, operator_a, lurah_a, verifier
):
    settings.MEDIA_ROOT = tmp_path
    # NIKs alike but for their last digit, so that any warning on a NIK's digits reads alike.
    participant, elsewhere = (
        PersonFactory(
            nik=nik,
            household=HouseholdFactory(village=village(VILLAGE_B)),
            domicile_since=datetime.date(2015, 1, 1),
        )
        for nik in ("3401024411850097", "3401024411850098")
    )
    enroll(verifier, participant)
    new = {**POOR_15, "nik": ABSENT_NIK, "kk_number": NEW_KK, "confirm_warnings": "on"}

    unknown = village_sees(client, operator_a, lurah_a, new)
    for data in (
        {**new, "nik": participant.nik},
        {**new, "nik": elsewhere.nik},
        {**new, "kk_number": elsewhere.household.number},
    ):
        assert village_sees(client, operator_a, lurah_a, data) == unknown
    assert "SKTM" in unknown[-4] and "TIDAK MAMPU" in unknown[-3].upper()
    # The village's NIK lookup, after the form and after the letter: a new resident's answer.
    assert '"found": true' in unknown[2] and "Sudah memiliki SKTM" in unknown[-1]


@pytest.fixture
def held(operator_a):
    """An SKTM form of village A naming the NIK and KK of a resident of village B."""
    moved = resident(VILLAGE_B)
    data = {**POOR_15, "nik": moved.nik, "kk_number": moved.household.number}
    return sktm_services.sktm_form_submit(actor=operator_a, data=data), moved


def test_the_held_applicant_waits_for_the_tim_verifikasi_beside_the_record_elsewhere(
    client, held, verifier, operator_a
):
    form, moved = held
    assert form.person is None and Person.objects.get(pk=moved.pk).household.village.code == (
        VILLAGE_B
    )
    client.force_login(verifier)
    page = client.get(reverse("verification:held_applicants")).content.decode()
    assert form.nik in page and moved.name in page and village(VILLAGE_B).name in page
    client.force_login(operator_a)
    assert client.get(reverse("verification:held_applicants")).status_code == 403
    assert client.post(reverse("verification:held_decide", args=[form.pk])).status_code == 403


def test_the_held_applicant_waits_on_the_verifiers_home_page_only(held, verifier, operator_a):
    entry = {entry.key: entry for entry in waiting.entries_for(verifier)}["held"]
    assert entry.count == 1 and entry.url == reverse("verification:held_applicants")
    assert "held" not in {entry.key for entry in waiting.entries_for(operator_a)}


def test_a_refusal_reaches_the_village_as_a_returned_form(client, held, verifier, operator_a):
    form, _ = held
    client.force_login(verifier)
    url = reverse("verification:held_decide", args=[form.pk])
    client.post(url, {"decision": "refuse", "reason": ""})
    assert VerificationForm.objects.get(pk=form.pk).status == FormStatus.SUBMITTED

    client.post(url, {"decision": "refuse", "reason": "KTP pemohon masih beralamat desa asal."})

    form.refresh_from_db()
    assert (form.status, form.return_note) == (
        FormStatus.RETURNED,
        "KTP pemohon masih beralamat desa asal.",
    )
    assert not VerificationForm.objects.held().exists()
    client.force_login(operator_a)
    page = client.get(reverse("sktm:form_detail", args=[form.pk])).content.decode()
    assert "KTP pemohon masih beralamat desa asal." in page


def test_a_refusal_after_the_letter_revokes_it(held, lurah_a, verifier):
    form, _ = held
    sktm_services.sktm_form_acknowledge(actor=lurah_a, form=form)
    letter = sktm_services.letter_issue(actor=lurah_a, form=form)
    assert letter.person is None

    sktm_services.held_applicant_refuse(actor=verifier, form=form, reason="Bukan penduduk desa.")

    letter.refresh_from_db()
    assert letter.status == "dicabut" and letter.revoke_reason == "Bukan penduduk desa."
    assert not VerificationForm.objects.held().exists()


def test_accepting_moves_the_family_with_its_history_and_names_the_resident(
    client, held, lurah_a, admin_user
):
    form, moved = held
    sktm_services.sktm_form_acknowledge(actor=lurah_a, form=form)
    letter = sktm_services.letter_issue(actor=lurah_a, form=form)
    client.force_login(admin_user)

    client.post(reverse("verification:held_decide", args=[form.pk]), {"decision": "accept"})

    moved.refresh_from_db()
    form.refresh_from_db()
    letter.refresh_from_db()
    assert moved.household.village.code == VILLAGE_A and moved.name == POOR_15["applicant_name"]
    assert HouseholdChange.objects.filter(household=moved.household, field="village").exists()
    assert form.person == moved and letter.person == moved and form.held_identity is None
    assert not VerificationForm.objects.held().exists()


def test_a_resident_on_another_kk_is_not_accepted_as_the_form_says(operator_a, admin_user):
    moved = resident(VILLAGE_B)
    form = sktm_services.sktm_form_submit(
        actor=operator_a, data={**POOR_15, "nik": moved.nik, "kk_number": NEW_KK}
    )
    with pytest.raises(ValidationError, match=f"tercatat dalam KK {moved.household.number}"):
        services.held_applicant_accept(actor=admin_user, form=form)
    assert Person.objects.get(pk=moved.pk).household.village.code == VILLAGE_B
    assert not Household.objects.filter(number=NEW_KK).exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("rt", "²"),
        ("birth_date", datetime.date(2999, 1, 1)),
        ("applicant_name", "=HYPERLINK(1)"),
        ("kk_number", "3401"),
    ],
)
def test_a_bad_value_is_refused_alike_for_a_new_nik_and_one_recorded_elsewhere(
    operator_a, field, value
):
    elsewhere = resident(VILLAGE_B)
    answers = []
    for nik in (ABSENT_NIK, elsewhere.nik):
        data = {**POOR_15, "nik": nik, "kk_number": NEW_KK, field: value}
        with pytest.raises(ValidationError) as refused:
            sktm_services.sktm_form_submit(actor=operator_a, data=data)
        answers.append(refused.value.message_dict)
    assert answers[0] == answers[1]
    assert not VerificationForm.objects.exists()


def test_the_usulan_form_asks_the_same_of_a_nik_recorded_elsewhere_as_of_an_unknown_one(
    client, operator_a
):
    elsewhere = resident(VILLAGE_B)
    proposal = services.proposal_open(actor=operator_a, month=this_month())
    client.force_login(operator_a)
    answers = []
    for nik in (elsewhere.nik, ABSENT_NIK):
        response = client.post(
            reverse("verification:item_add", args=[proposal.pk]),
            {"ground": "add_a", "nik": nik, "mother_nik": ABSENT_NIK, "faskes": faskes_id()},
        )
        answers.append(response.context["form"].errors)
    assert answers[0] == answers[1]
    assert "name" in answers[0], "an unknown NIK's identity is asked for"


def read(response):
    """A page as text: HTML as it is, a PDF's text, a workbook's cells."""
    assert response.status_code == 200
    content = response.getvalue() if response.streaming else response.content
    if response["Content-Type"] == "application/pdf":
        return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    if response["Content-Type"].startswith("application/vnd.openxmlformats"):
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        return repr([list(row) for row in sheet.iter_rows(values_only=True)])
    return content.decode()


def usulan_blanked(text, data):
    """An Usulan page as the village reads it, less what differs between any two requests
    (blanked) and the proposed newborn's NIK and KK as typed."""
    text = re.sub(r"\d{4}\*+\d{4}", "MASKED", text)
    text = re.sub(r"\d{2}-\d{2}-\d{4} \d{2}:\d{2}", "DATE TIME", text)
    text = re.sub(r"item-\d+", "item-ID", text)
    return blanked(text, {"nik": data["nik"], "kk_number": data["kk_number"]})


def village_proposes(client, operator, lurah, verifier, data):
    """Every page the village gets proposing a newborn with `data` in its Usulan: adding,
    the Usulan, its list, its Lampiran D as PDF and workbook, the Lurah's submission, and
    after the Tim Verifikasi rejects the newborn with a reason, the Usulan and the home page;
    nothing of it is kept."""
    pages = []
    with transaction.atomic():
        client.force_login(operator)
        opened = client.post(
            reverse("verification:proposal_open"), {"month": this_month().isoformat()}
        )
        add_url = opened.url + "tambah/"
        pages.append(read(client.post(add_url, data, follow=True)))
        item = ProposalItem.objects.get()
        detail = reverse("verification:proposal_detail", args=[item.proposal_id])
        for name in ("lampiran_d_pdf", "lampiran_d_xlsx"):
            pages.append(read(client.get(reverse(f"verification:{name}", args=[item.proposal_id]))))
        pages.append(read(client.get(reverse("verification:proposal_list"))))
        lookup = (
            reverse("verification:resident_lookup", args=[item.proposal_id]),
            {"nik": data["nik"]},
        )
        pages.append(read(client.get(*lookup)))
        client.force_login(lurah)
        submit = reverse("verification:proposal_submit", args=[item.proposal_id])
        pages.append(read(client.post(submit, {"place": "Jangkaran"}, follow=True)))
        client.force_login(verifier)
        client.post(
            reverse("verification:item_decide", args=[item.pk]),
            {"decision": "rejected", "reason": "population_data", "reason_text": "KK asal."},
        )
        client.force_login(operator)
        pages.append(read(client.get(reverse("home"))))
        pages.append(read(client.get(detail)))
        pages.append(
            read(client.get(reverse("verification:lampiran_d_pdf", args=[item.proposal_id])))
        )
        pages.append(read(client.get(*lookup)))
        transaction.set_rollback(True)
    return [usulan_blanked(page, data) for page in pages]


@pytest.fixture
def village_mother(verifier):
    """An active participant of village A, mother of the newborns proposed."""
    mother = resident(VILLAGE_A)
    enroll(verifier, mother)
    return mother


def test_an_usulan_item_recorded_elsewhere_is_answered_as_a_new_one(
    client, operator_a, lurah_a, verifier, village_mother
):
    # NIKs alike but for their last digit, so that any warning on a NIK's digits reads alike.
    participant, elsewhere = (
        PersonFactory(
            nik=nik,
            household=HouseholdFactory(village=village(VILLAGE_B)),
            domicile_since=datetime.date(2015, 1, 1),
        )
        for nik in ("3401010101260007", "3401010101260008")
    )
    enroll(verifier, participant)
    new = newborn_post(village_mother.nik) | {"kk_number": NEW_KK}

    unknown = village_proposes(client, operator_a, lurah_a, verifier, new)
    for data in (
        new | {"nik": participant.nik},
        new | {"nik": elsewhere.nik},
        new | {"kk_number": elsewhere.household.number},
    ):
        assert village_proposes(client, operator_a, lurah_a, verifier, data) == unknown
    assert "Bayi Tumini ditambahkan ke usulan" in unknown[0]
    assert "TUMINI" in unknown[1].upper() and "Bayi Tumini" in unknown[2]
    assert '"found": true' in unknown[4] and '"found": true' in unknown[-1]
    assert "Usulan dikirim ke Dinas Sosial" in unknown[5]
    assert "Bayi Tumini ditolak" in unknown[6] and "KK asal." in unknown[7]
    assert village(VILLAGE_B).name not in "".join(unknown)


def village_withdraws(client, operator, data):
    """The Usulan as the village reads it after adding a newborn with `data` and withdrawing
    it again; nothing of it is kept."""
    with transaction.atomic():
        client.force_login(operator)
        proposal = services.proposal_open(actor=operator, month=this_month())
        client.post(reverse("verification:item_add", args=[proposal.pk]), data)
        item = ProposalItem.objects.get()
        page = read(client.post(reverse("verification:item_withdraw", args=[item.pk]), follow=True))
        transaction.set_rollback(True)
    return usulan_blanked(page, data)


def test_a_withdrawn_item_reads_alike_in_the_usulan_history(client, operator_a, village_mother):
    elsewhere = resident(VILLAGE_B)
    new = newborn_post(village_mother.nik) | {"kk_number": NEW_KK}
    unknown = village_withdraws(client, operator_a, new)
    assert village_withdraws(client, operator_a, new | {"nik": elsewhere.nik}) == unknown
    assert "Bayi Tumini: Dikeluarkan dari usulan" in unknown


@pytest.mark.parametrize(
    ("field", "value"),
    [("rt", "²"), ("birth_date", "2999-01-01"), ("name", "=HYPERLINK(1)"), ("sex", "")],
)
def test_a_bad_usulan_value_is_refused_alike_for_a_new_nik_and_one_recorded_elsewhere(
    client, operator_a, village_mother, field, value
):
    elsewhere = resident(VILLAGE_B)
    proposal = services.proposal_open(actor=operator_a, month=this_month())
    client.force_login(operator_a)
    answers = []
    for nik in (BABY_NIK, elsewhere.nik):
        data = newborn_post(village_mother.nik, baby_nik=nik) | {field: value}
        response = client.post(reverse("verification:item_add", args=[proposal.pk]), data)
        answers.append(usulan_blanked(response.content.decode(), data))
    assert answers[0] == answers[1]
    assert not ProposalItem.objects.exists()


def test_a_ground_refusal_on_the_submitted_identity_is_the_same_for_a_held_item(
    client, operator_a, verifier, village_mother
):
    """Ground b asks for an active participant on the person's KK: a KK of another village
    whose members participate is answered as a new KK is (checked on the identity submitted,
    as a new resident's); its members are the Tim Verifikasi's to see."""
    active = resident(VILLAGE_B)
    enroll(verifier, active)
    proposal = services.proposal_open(actor=operator_a, month=this_month())
    client.force_login(operator_a)
    family = newborn_post(village_mother.nik) | {"ground": "add_b", "no_other_cover": "on"}
    answers = []
    for data in (
        family | {"kk_number": NEW_KK},
        family | {"kk_number": active.household.number},
        family | {"nik": active.nik, "kk_number": NEW_KK},
    ):
        response = client.post(reverse("verification:item_add", args=[proposal.pk]), data)
        answers.append(usulan_blanked(response.content.decode(), data))
    assert answers[0] == answers[1] == answers[2]
    assert "yang menjadi peserta PBI Pemda aktif" in answers[0]
    assert not ProposalItem.objects.exists()


@pytest.fixture
def held_item(operator_a, lurah_a, village_mother):
    """A submitted Usulan of village A proposing a newborn with the NIK and KK of a resident
    of village B (a newborn: no domicile recorded before the birth date proposed)."""
    moved = PersonFactory(household=HouseholdFactory(village=village(VILLAGE_B)))
    proposal = services.proposal_open(actor=operator_a, month=this_month())
    data = newborn_post(village_mother.nik, baby_nik=moved.nik)
    identity = {
        field: data[field]
        for field in ("name", "birth_place", "sex", "occupation", "dusun", "rt", "rw")
    } | {
        "kk_number": moved.household.number,
        "birth_date": timezone.localdate(),
        "relationship": 4,
        "marital_status": 1,
    }
    item = services.item_propose(
        actor=operator_a,
        proposal=proposal,
        nik=moved.nik,
        identity=identity,
        item=ProposalItem(
            kind="addition", ground="add_a", mother_nik=village_mother.nik, faskes_id=faskes_id()
        ),
    )
    services.proposal_submit(actor=lurah_a, proposal=proposal, place="Jangkaran")
    return item, moved


def test_the_held_item_waits_for_the_tim_verifikasi_beside_the_record_elsewhere(
    client, held_item, verifier, operator_a
):
    item, moved = held_item
    assert item.person is None and item.held_identity["nik"] == moved.nik
    client.force_login(verifier)
    page = client.get(reverse("verification:held_applicants")).content.decode()
    assert moved.nik in page and moved.name in page and village(VILLAGE_B).name in page
    detail = reverse("verification:proposal_detail", args=[item.proposal_id])
    assert 'data-testid="held-item"' in client.get(detail).content.decode()
    client.force_login(operator_a)
    assert 'data-testid="held-item"' not in client.get(detail).content.decode()
    assert client.get(reverse("verification:held_applicants")).status_code == 403
    accept = reverse("verification:held_item_accept", args=[item.pk])
    assert client.post(accept).status_code == 403


def test_the_held_item_waits_on_the_verifiers_home_page(held_item, verifier):
    entry = {entry.key: entry for entry in waiting.entries_for(verifier)}["held"]
    assert entry.count == 1


def test_a_held_item_is_not_approved_nor_exported_nor_recorded(held_item, verifier):
    item, _ = held_item
    with pytest.raises(ValidationError, match="tercatat di desa lain"):
        services.item_decide(actor=verifier, item=item, decision=Decision.APPROVED)
    with pytest.raises(ValidationError, match="tercatat di desa lain"):
        services.items_approve_pending(actor=verifier, proposal=item.proposal)
    assert not tasks._export_items(verifier, this_month()).filter(pk=item.pk).exists()
    assert ProposalItem.objects.get(pk=item.pk).decision == Decision.PENDING

    services.item_decide(
        actor=verifier, item=item, decision=Decision.REJECTED, reason="population_data"
    )

    assert not LedgerEntry.objects.filter(ground="add_a").exists()
    assert not ProposalItem.objects.held().exists()


def test_accepting_a_held_item_moves_the_family_and_it_is_decided_as_any_other(
    client, held_item, admin_user, verifier
):
    item, moved = held_item
    client.force_login(admin_user)

    response = client.post(reverse("verification:held_item_accept", args=[item.pk]), follow=True)

    assert [str(message) for message in response.context["messages"]] == [
        f"Bayi Tumini dicatat sebagai penduduk {village(VILLAGE_A)}."
    ]
    moved = Person.objects.select_related("household__village").get(pk=moved.pk)
    item.refresh_from_db()
    assert moved.household.village.code == VILLAGE_A and moved.name == "Bayi Tumini"
    assert item.person == moved and item.held_identity is None
    assert HouseholdChange.objects.filter(household=moved.household, field="village").exists()
    services.item_decide(actor=verifier, item=item, decision=Decision.APPROVED)
    assert LedgerEntry.objects.get(person=moved).ground == "add_a"


def test_an_sktm_acceptance_links_the_held_item_of_the_same_nik(
    held_item, operator_a, admin_user, verifier
):
    item, moved = held_item
    data = {**POOR_15, "nik": moved.nik, "kk_number": moved.household.number}
    form = sktm_services.sktm_form_submit(actor=operator_a, data=data)

    services.held_applicant_accept(actor=admin_user, form=form)

    item.refresh_from_db()
    assert item.person == Person.objects.get(nik=moved.nik)
    services.item_decide(actor=verifier, item=item, decision=Decision.APPROVED)
    assert LedgerEntry.objects.filter(person=item.person).exists()


@pytest.mark.parametrize("elsewhere", [True, False], ids=["recorded-elsewhere", "unknown"])
def test_the_sktm_letter_of_a_held_applicant_grounds_the_usulan_as_a_new_residents_does(
    operator_a, lurah_a, elsewhere
):
    """Ground c.2 rests on the village's own letter: a letter issued on a held applicant's
    form grounds the held item exactly as a new resident's letter grounds theirs."""
    moved = resident(VILLAGE_B)
    nik, kk = (moved.nik, moved.household.number) if elsewhere else (ABSENT_NIK, NEW_KK)
    form = sktm_services.sktm_form_submit(
        actor=operator_a, data={**POOR_15, "nik": nik, "kk_number": kk}
    )
    form = sktm_services.sktm_form_acknowledge(actor=lurah_a, form=form)
    letter = sktm_services.letter_issue(actor=lurah_a, form=form)
    identity = {
        field: POOR_15[field] for field in ("birth_place", "sex", "occupation", "dusun", "rt", "rw")
    } | {
        "name": POOR_15["applicant_name"],
        "kk_number": kk,
        "birth_date": datetime.date(1985, 1, 12),
        "domicile_since": datetime.date(2015, 1, 1),
        "relationship": 1,
        "marital_status": 2,
    }
    proposal = services.proposal_open(actor=operator_a, month=this_month())
    item = services.item_propose(
        actor=operator_a,
        proposal=proposal,
        nik=nik,
        identity=identity,
        item=ProposalItem(
            kind="addition",
            ground="add_c2",
            faskes_id=faskes_id(),
            evidence={"has_other_cover": False, "domicile_document": "KTP dan KK"},
        ),
    )
    assert item.letter == letter
    assert (item.person is None) is elsewhere


def test_the_subject_access_download_holds_the_held_item(held_item):
    item, moved = held_item
    sections = {
        section.title: section.rows
        for section in subject_access.subject_data(moved.nik)["sections"]
    }
    (row,) = sections["Usulan dan keputusan Tim Verifikasi"]
    assert row["NIK diusulkan"] == moved.nik
    assert row["Identitas menunggu Tim Verifikasi"]["name"] == "Bayi Tumini"
