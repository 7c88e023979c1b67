"""The DICOM adapter (issue 9): Modality Worklist and MPPS for the fluoroscopy unit — see docs/dicom-conformance.md."""
