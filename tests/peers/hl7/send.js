// An independent HL7 v2 sender (@medplum/hl7's Hl7Client): sends each message file over MLLP and prints every
// ACK as one JSON line {ack, code, controlId, err}. Usage: node send.js HOST PORT ENCODING FILE...
// ENCODING is an iconv-lite name (utf-8, gb18030); the files hold ER7 text in UTF-8 (segments on lines).
'use strict';
const fs = require('node:fs');
const { Hl7Client } = require('@medplum/hl7');
const { Hl7Message } = require('@medplum/core');

async function main() {
  const [host, port, encoding, ...files] = process.argv.slice(2);
  const client = new Hl7Client({ host, port: Number(port), encoding, connectTimeout: 10000 });
  try {
    for (const file of files) {
      const text = fs.readFileSync(file, 'utf8').replace(/\r?\n/g, '\r').replace(/\r+$/, '');
      const ack = await client.sendAndWait(Hl7Message.parse(text), { timeoutMs: 20000 });
      const msa = ack.getSegment('MSA');
      const errs = ack.getAllSegments('ERR').map((s) => s.toString());
      process.stdout.write(
        JSON.stringify({
          ack: ack.toString(),
          code: msa?.getField(1)?.toString() ?? '',
          controlId: msa?.getField(2)?.toString() ?? '',
          err: errs,
        }) + '\n'
      );
    }
  } finally {
    await client.close();
  }
}

// The client keeps a response timer alive after the last ACK; leave as soon as the work is done.
main().then(() => process.exit(0), (err) => {
  process.stderr.write(String(err && err.stack ? err.stack : err) + '\n');
  process.exit(1);
});
