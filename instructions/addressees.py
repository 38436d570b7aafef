"""Who an instruction addresses: one agency, one district (its Camat/Panewu) or one village
(its Kepala Desa/Lurah), and which users act for each."""

from dataclasses import dataclass

from django.db.models import Q

from instructions.models import AddresseeKind

AGENCY, DISTRICT, VILLAGE = "agency", "district", "village"


@dataclass(frozen=True)
class Addressee:
    kind: str  # AGENCY, DISTRICT or VILLAGE
    target: object  # the Agency, District or Village

    def __str__(self):
        return str(self.target)

    @property
    def key(self):
        return (self.kind, self.target.pk)

    @property
    def report_fields(self):
        """The Report fields naming this addressee."""
        return {self.kind: self.target}

    @property
    def reports_through_district(self):
        # Diktum KEDELAPAN BELAS b: villages report through their Camat; a (agencies and
        # Camat) through the Sekda.
        return self.kind == VILLAGE

    def item_condition(self):
        if self.kind == AGENCY:
            return Q(addressee=AddresseeKind.AGENCY, agency=self.target) | Q(
                addressee=AddresseeKind.ALL_AGENCIES
            )
        if self.kind == DISTRICT:
            return Q(addressee=AddresseeKind.DISTRICTS)
        return Q(addressee=AddresseeKind.VILLAGES)

    def shown_condition(self):
        """The items this addressee reads: its own, and those addressed to everyone."""
        return self.item_condition() | Q(addressee=AddresseeKind.EVERYONE)

    def is_addressed_by(self, instruction):
        """Agencies serve the deployment's one kabupaten; districts and villages are
        addressed by their own kabupaten's instructions only."""
        if self.kind == AGENCY:
            return True
        regency_id = (
            self.target.regency_id if self.kind == DISTRICT else self.target.district.regency_id
        )
        return instruction.regency_id == regency_id


def addressee_of(user):
    """The addressee a user acts for, or None (Sekda/Bupati, admin, verifiers, Dukcapil)."""
    if not user.is_authenticated or user.area_kind not in (AGENCY, DISTRICT, VILLAGE):
        return None
    return Addressee(user.area_kind, user.area)


def of_report(report):
    return Addressee(report.addressee_kind, report.agency or report.district or report.village)
