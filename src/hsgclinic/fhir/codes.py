"""Code systems and identifier systems the FHIR adapter uses.

Standard systems where a code exists and means exactly what the record holds (LOINC body temperature and last
menstrual period, UCUM units, HL7 terminology); otherwise the clinic's own code systems, named by URN (``urn:
hsgclinic:…``) because they are not published anywhere: a receiver keeps them as local codes.
"""

from __future__ import annotations

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
OBS_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
V2_0074 = "http://terminology.hl7.org/CodeSystem/v2-0074"  # diagnostic service section (RAD)
V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"  # identifier type (MR, NI)
PRACTITIONER_ROLE = "http://terminology.hl7.org/CodeSystem/practitioner-role"
CANCEL_REASON = "http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason"
AUDIT_TYPE = "http://terminology.hl7.org/CodeSystem/audit-event-type"
RESTFUL_INTERACTION = "http://hl7.org/fhir/restful-interaction"
AUDIT_SOURCE_TYPE = "http://terminology.hl7.org/CodeSystem/security-source-type"

# the clinic's identifiers
RECORD_NUMBER = "urn:hsgclinic:record-number"  # patients.record_number ("HSG00000123")
RESIDENT_ID_HASH = "urn:hsgclinic:resident-id-hmac-sha256"  # HMAC of the ID with the clinic's key, never the number
RESIDENT_ID = "urn:hsgclinic:resident-id"  # the full ID number: accepted in a Patient search only (hashed at once)
FORM_NUMBER = "urn:hsgclinic:application-form"
ACCESSION = "urn:hsgclinic:accession-number"  # the DICOM AccessionNumber of the imaging order
STAFF_USERNAME = "urn:hsgclinic:staff-username"
ERROR_CODE = "urn:hsgclinic:error-code"
RULE = "urn:hsgclinic:rule"  # rule IDs of docs/domain.md (ELIG-TEMP, BOOK-OPEN …)

# the clinic's own codes
PROCEDURE = "urn:hsgclinic:procedure"  # "hsg": painless hysterosalpingography
OBSERVATION = "urn:hsgclinic:observation"  # leukorrhea panel, tube findings, dose …
PATENCY = "urn:hsgclinic:tubal-patency"
OBSTRUCTION = "urn:hsgclinic:obstruction-level"
SPILL = "urn:hsgclinic:peritoneal-spill"
CARE = "urn:hsgclinic:care-item"  # CARE-* rule IDs
STAFF_ROLE = "urn:hsgclinic:staff-role"

HSG = {"system": PROCEDURE, "code": "hsg", "display": "Painless hysterosalpingography (HSG)"}
