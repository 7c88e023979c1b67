"""An MPPS SCU that is not pynetdicom: Odil (Debian's python3-odil, a C++ DICOM stack), run with /usr/bin/python3.

    /usr/bin/python3 odil_mpps.py HOST PORT CALLING_AE CALLED_AE STEPS.json

STEPS.json is a list of {"op": "create" | "set", "uid": SOP instance UID, "attributes": {keyword: value}}; a value
is a string, a number, a list of those, or a list of {keyword: value} objects (a sequence). One association
carries all steps; the DICOM status of each response is printed as a JSON list of integers.
"""

import json
import sys

import odil

MPPS = odil.registry.ModalityPerformedProcedureStep
TRANSFER_SYNTAXES = [odil.registry.ExplicitVRLittleEndian, odil.registry.ImplicitVRLittleEndian]

# VRs of the attributes the test sends (Odil needs them for a new element)
VRS = {
    "SpecificCharacterSet": odil.VR.CS,
    "PatientName": odil.VR.PN,
    "PatientID": odil.VR.LO,
    "PatientBirthDate": odil.VR.DA,
    "PatientSex": odil.VR.CS,
    "ScheduledStepAttributesSequence": odil.VR.SQ,
    "StudyInstanceUID": odil.VR.UI,
    "AccessionNumber": odil.VR.SH,
    "RequestedProcedureID": odil.VR.SH,
    "ScheduledProcedureStepID": odil.VR.SH,
    "PerformedProcedureStepID": odil.VR.SH,
    "PerformedStationAETitle": odil.VR.AE,
    "PerformedStationName": odil.VR.SH,
    "PerformedProcedureStepStartDate": odil.VR.DA,
    "PerformedProcedureStepStartTime": odil.VR.TM,
    "PerformedProcedureStepEndDate": odil.VR.DA,
    "PerformedProcedureStepEndTime": odil.VR.TM,
    "PerformedProcedureStepStatus": odil.VR.CS,
    "PerformedProcedureStepDescription": odil.VR.LO,
    "Modality": odil.VR.CS,
    "TotalTimeOfFluoroscopy": odil.VR.US,
    "TotalNumberOfExposures": odil.VR.US,
    "ImageAndFluoroscopyAreaDoseProduct": odil.VR.DS,
    "EntranceDoseInmGy": odil.VR.DS,
    "CommentsOnRadiationDose": odil.VR.ST,
    "PerformedSeriesSequence": odil.VR.SQ,
    "PerformedProcedureStepDiscontinuationReasonCodeSequence": odil.VR.SQ,
    "CodeValue": odil.VR.SH,
    "CodingSchemeDesignator": odil.VR.SH,
    "CodeMeaning": odil.VR.LO,
}


def data_set(attributes):
    ds = odil.DataSet()
    for keyword, value in attributes.items():
        tag = odil.Tag(keyword)
        vr = VRS[keyword]
        values = value if isinstance(value, list) else [value]
        if vr == odil.VR.SQ:
            ds.add(tag, [data_set(item) for item in values], vr)
        elif vr in (odil.VR.US,):
            ds.add(tag, [int(v) for v in values], vr)
        elif not values or values == [""]:
            ds.add(tag, vr)
        else:
            ds.add(tag, [str(v).encode("utf-8") for v in values], vr)
    return ds


def main():
    host, port, calling, called, steps_file = sys.argv[1:6]
    with open(steps_file, encoding="utf-8") as f:
        steps = json.load(f)
    association = odil.Association()
    association.set_peer_host(host)
    association.set_peer_port(int(port))
    parameters = odil.AssociationParameters()
    parameters.set_calling_ae_title(calling)
    parameters.set_called_ae_title(called)
    context = odil.AssociationParameters.PresentationContext(
        1, MPPS, TRANSFER_SYNTAXES, odil.AssociationParameters.PresentationContext.Role.SCU
    )
    parameters.set_presentation_contexts([context])
    association.set_parameters(parameters)
    association.associate()
    statuses = []
    for n, step in enumerate(steps, start=1):
        uid = step["uid"]
        attributes = data_set(step["attributes"])
        if step["op"] == "create":
            request = odil.messages.NCreateRequest(n, MPPS, attributes)
            request.set_affected_sop_instance_uid(uid)
        else:
            request = odil.messages.NSetRequest(n, MPPS, uid, attributes)
        association.send_message(request, MPPS)
        response = odil.messages.Response(association.receive_message())
        statuses.append(int(response.get_status()))
    association.release()
    print(json.dumps(statuses))


if __name__ == "__main__":
    main()
