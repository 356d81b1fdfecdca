"""Clinical integration: FHIR context → patient facets, CDS Hooks models, JWT trust."""
