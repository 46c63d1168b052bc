"""HTTP routes, one module per audience: documents and jobs, the patient's own data, FHIR, operators, health."""
