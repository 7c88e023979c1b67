// fhir-kit-client against a live hsgclinic: argv = base URL, a radiologist's bearer token (reads), a registrar's
// (the desk books), day (YYYY-MM-DD), DiagnosticReport id, CarePlan id, ServiceRequest id to $find/$book for.
// Prints one JSON object with what the client got back.
import { Client } from 'fhir-kit-client';

const [baseUrl, readToken, bookToken, day, reportId, planId, formId] = process.argv.slice(2);
const headers = { 'Accept-Language': 'en' };
const client = new Client({ baseUrl, bearerToken: readToken, customHeaders: headers });
const desk = new Client({ baseUrl, bearerToken: bookToken, customHeaders: headers });
const out = {};
const cs = await client.capabilityStatement();
out.capability = { fhirVersion: cs.fhirVersion, resources: cs.rest[0].resource.map((r) => r.type) };
const day1 = await client.search({ resourceType: 'Appointment', searchParams: { date: day, _count: 1 } });
const pages = [day1];
let page = day1;
while ((page = await client.nextPage({ bundle: page }))) pages.push(page);
out.appointments = { total: day1.total, pages: pages.length, ids: pages.flatMap((b) => (b.entry ?? []).map((e) => e.resource.id)) };
const report = await client.read({ resourceType: 'DiagnosticReport', id: reportId });
out.report = { status: report.status, result: report.result.map((r) => r.reference), conclusion: report.conclusion };
const plan = await client.read({ resourceType: 'CarePlan', id: planId });
out.plan = { activities: plan.activity.length, codes: plan.activity.map((a) => a.detail.code.coding[0].code) };
const input = {
  resourceType: 'Parameters',
  parameter: [{ name: 'service-request', valueReference: { reference: `ServiceRequest/${formId}` } }],
};
const found = await desk.operation({ resourceType: 'Appointment', name: '$find', method: 'POST', input });
const proposals = (found.entry ?? []).filter((e) => e.search?.mode === 'match').map((e) => e.resource);
out.find = { total: found.total, starts: proposals.map((a) => a.start) };
const booked = await desk.operation({
  resourceType: 'Appointment',
  name: '$book',
  method: 'POST',
  input: { resourceType: 'Parameters', parameter: [{ name: 'appt-resource', resource: proposals[0] }] },
});
const appt = booked.entry[0].resource;
out.book = { id: appt.id, status: appt.status, start: appt.start };
try {
  await desk.operation({
    resourceType: 'Appointment',
    name: '$book',
    method: 'POST',
    input: { resourceType: 'Parameters', parameter: [{ name: 'appt-resource', resource: proposals[0] }] },
  });
  out.again = 'booked twice';
} catch (e) {
  out.again = { status: e.response?.status, outcome: e.response?.data };
}
process.stdout.write(JSON.stringify(out));
