"""The DICOM service (pynetdicom): Modality Worklist C-FIND SCP, MPPS N-CREATE / N-SET SCP and Verification.

Callers are checked when they ask to associate: a calling AE title not in ``HSGCLINIC_DICOM_ALLOWED_AE_TITLES``
or an address outside ``HSGCLINIC_DICOM_ALLOWED_ADDRESSES`` is rejected (A-ASSOCIATE-RJ, permanent, "calling AE
title not recognised") and logged. Each request is one service call (one transaction); this module only
translates between DICOM and the services.
"""

from __future__ import annotations

import ipaddress
import logging
import threading
from collections.abc import Iterator
from typing import Any

from pydicom.charset import convert_encodings
from pydicom.datadict import tag_for_keyword
from pydicom.dataset import Dataset
from pydicom.uid import (
    ExplicitVRBigEndian,
    ExplicitVRLittleEndian,
    ImplicitVRLittleEndian,
    generate_uid,
)
from pynetdicom import AE, evt
from pynetdicom.association import Association
from pynetdicom.sop_class import (  # type: ignore[attr-defined]
    ModalityPerformedProcedureStep,
    ModalityWorklistInformationFind,
    Verification,
)

from hsgclinic.config import Settings
from hsgclinic.dicom import codec
from hsgclinic.services import worklist, worklist_mpps
from hsgclinic.services.context import ServiceContext
from hsgclinic.services.errors import ServiceError

LOG = logging.getLogger("hsgclinic.dicom")
TRANSFER_SYNTAXES = [ImplicitVRLittleEndian, ExplicitVRLittleEndian, ExplicitVRBigEndian]
# Failure statuses of the Modality Worklist C-FIND (PS3.4 K.4.1.1.4)
OUT_OF_RESOURCES = 0xA700
IDENTIFIER_DOES_NOT_MATCH = 0xA900
UNABLE_TO_PROCESS = 0xC000
CANCELLED = 0xFE00
PENDING = 0xFF00


def _caller(assoc: Association) -> tuple[str, str]:
    ae_title = assoc.requestor.ae_title
    return str(ae_title).strip(), str(assoc.requestor.address)


def _status(code: int, comment: str = "") -> Dataset:
    ds = Dataset()
    ds.Status = code
    if comment:
        ds.ErrorComment = comment[:64]
    return ds


class DicomService:
    """Start with :meth:`start` (returns the bound port), stop with :meth:`stop`; thread-safe, one thread per
    association."""

    def __init__(self, ctx: ServiceContext, settings: Settings | None = None) -> None:
        self.ctx = ctx
        self.settings = settings or ctx.settings
        self._server: Any = None
        self._lock = threading.Lock()

    # -- association control ------------------------------------------------------------------------------------
    def _address_allowed(self, address: str) -> bool:
        networks = self.settings.dicom_networks
        if networks is None:
            return True
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in n for n in networks)

    def _on_requested(self, event: evt.Event) -> None:
        assoc = event.assoc
        primitive = assoc.requestor.primitive
        calling = str(primitive.calling_ae_title if primitive is not None else "").strip()
        address = str(assoc.requestor.address)
        if calling in self.settings.dicom_callers and self._address_allowed(address):
            return
        reason = "calling AE title not allowed" if calling not in self.settings.dicom_callers else "address not allowed"
        LOG.warning("rejecting association from %s at %s: %s", calling, address, reason)
        try:
            worklist.log_refused(self.ctx, calling, address, "association", reason)
        except Exception:  # the log must never keep the refusal from happening
            LOG.exception("could not log a refused association")
        assoc.acse.send_reject(0x01, 0x01, 0x03)  # rejected-permanent, service-user, calling AE not recognised
        assoc.is_rejected = True
        assoc.kill()

    # -- C-ECHO --------------------------------------------------------------------------------------------------
    def _on_echo(self, event: evt.Event) -> int:
        calling, address = _caller(event.assoc)
        worklist.log_echo(self.ctx, calling, address)
        return 0x0000

    # -- Modality Worklist C-FIND --------------------------------------------------------------------------------
    def _on_find(self, event: evt.Event) -> Iterator[tuple[int | Dataset, Dataset | None]]:
        calling, address = _caller(event.assoc)
        try:
            identifier = event.identifier
            charset = codec.answer_charset(identifier, self.settings.dicom_charset)
            if "SpecificCharacterSet" not in identifier:  # undeclared bytes: read them as the configured set
                implicit, little = identifier.original_encoding
                identifier.set_original_encoding(implicit, little, convert_encodings(self.settings.dicom_charset))
            if not codec.matches_sps_filters(identifier):
                yield _status(IDENTIFIER_DOES_NOT_MATCH, "one Scheduled Procedure Step item only"), None
                return
            query = codec.query_from(identifier)
            answer = worklist.find(self.ctx, calling, address, query)
        except (codec.QueryError, ServiceError) as exc:
            LOG.info("C-FIND from %s refused: %s", calling, exc)
            yield _status(IDENTIFIER_DOES_NOT_MATCH, str(exc)), None
            return
        if answer.refused is not None:
            yield _status(OUT_OF_RESOURCES, answer.refused.replace("_", " ")), None
            return
        issuer = self.settings.dicom_issuer_of_patient_id
        for item in answer.items:
            if event.is_cancelled:
                yield CANCELLED, None
                return
            yield PENDING, codec.answer_for(identifier, item, charset, issuer)

    # -- MPPS ----------------------------------------------------------------------------------------------------
    def _on_n_create(self, event: evt.Event) -> tuple[int | Dataset, Dataset | None]:
        calling, address = _caller(event.assoc)
        request: Any = event.request
        uid = str(request.AffectedSOPInstanceUID or generate_uid())
        attributes = event.attribute_list
        data = codec.step_start_from(uid, attributes, self.ctx.tz)
        try:
            worklist_mpps.start(self.ctx, calling, address, data)
        except worklist_mpps.StepRefused as refused:
            return _refusal(refused), None
        out = attributes
        if request.AffectedSOPInstanceUID is None:
            out.AffectedSOPInstanceUID = uid
        return 0x0000, out

    def _on_n_set(self, event: evt.Event) -> tuple[int | Dataset, Dataset | None]:
        calling, address = _caller(event.assoc)
        request: Any = event.request
        uid = str(request.RequestedSOPInstanceUID or "")
        changes = event.modification_list
        data = codec.step_update_from(uid, changes, self.ctx.tz)
        try:
            worklist_mpps.update(self.ctx, calling, address, data)
        except worklist_mpps.StepRefused as refused:
            return _refusal(refused), None
        return 0x0000, changes

    # -- lifecycle -----------------------------------------------------------------------------------------------
    def _ae(self) -> AE:
        st = self.settings
        ae = AE(ae_title=st.dicom_ae_title)
        ae.maximum_associations = st.dicom_max_associations
        ae.network_timeout = st.dicom_network_timeout_s
        ae.acse_timeout = st.dicom_network_timeout_s
        ae.dimse_timeout = st.dicom_network_timeout_s
        ae.require_called_aet = True
        for sop_class in (ModalityWorklistInformationFind, ModalityPerformedProcedureStep, Verification):
            ae.add_supported_context(sop_class, TRANSFER_SYNTAXES)
        return ae

    def start(self) -> int:
        """Listen (in background threads); returns the port actually bound (``dicom_port`` 0 = any free port)."""
        with self._lock:
            if self._server is None:
                handlers: list[Any] = [
                    (evt.EVT_REQUESTED, self._on_requested),
                    (evt.EVT_C_ECHO, self._on_echo),
                    (evt.EVT_C_FIND, self._on_find),
                    (evt.EVT_N_CREATE, self._on_n_create),
                    (evt.EVT_N_SET, self._on_n_set),
                ]
                address = (self.settings.dicom_host, self.settings.dicom_port)
                self._server = self._ae().start_server(address, block=False, evt_handlers=handlers)
            return int(self._server.server_address[1])

    def stop(self) -> None:
        with self._lock:
            if self._server is not None:
                self._server.shutdown()
                self._server = None


def _refusal(refused: worklist_mpps.StepRefused) -> Dataset:
    """The failure status with its comment; Error ID A710 for a final step; the missing attribute's tag."""
    status = _status(refused.status, refused.message.english())
    if refused.code == "not_updatable":
        status.ErrorID = 0xA710  # Performed Procedure Step Object may no longer be updated (PS3.4 F.7.2.2.2)
    attribute = refused.details.get("attribute")
    tag = tag_for_keyword(attribute) if isinstance(attribute, str) else None
    if refused.code == "missing_attribute" and tag is not None:
        status.AttributeIdentifierList = [tag]
    return status
