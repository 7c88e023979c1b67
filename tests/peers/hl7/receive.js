// An independent HL7 v2 receiver (@medplum/hl7's Hl7Server): prints "LISTENING <port>" once, then every message
// it gets as one JSON line {type, controlId, charset, text, pid5, pid3}; answers each with an ACK.
// Usage: node receive.js ENCODING MODE   (MODE "aa": accept all; "ae-first": refuse the first message with AE;
// "drop-first": close the connection on the first message without answering, accept the rest)
'use strict';
const { Hl7Server } = require('@medplum/hl7');

const [encoding, mode] = process.argv.slice(2);
let seen = 0;
const server = new Hl7Server((connection) => {
  connection.addEventListener('message', ({ message }) => {
    seen += 1;
    const msh = message.getSegment('MSH');
    const pid = message.getSegment('PID');
    process.stdout.write(
      JSON.stringify({
        type: msh.getField(9).toString(),
        controlId: msh.getField(10).toString(),
        charset: msh.getField(18)?.toString() ?? '',
        text: message.toString(),
        pid5: pid?.getField(5)?.getComponent(1) ?? '',
        pid3: pid?.getField(3)?.toString() ?? '',
      }) + '\n'
    );
    if (mode === 'drop-first' && seen === 1) {
      connection.socket.destroy();
      return;
    }
    const code = mode === 'ae-first' && seen === 1 ? 'AE' : 'AA';
    connection.send(message.buildAck({ ackCode: code }));
  });
});

server.start(0, encoding).then(() => {
  process.stdout.write(`LISTENING ${server.server.address().port}\n`);
});

process.on('SIGTERM', () => {
  server.stop({ forceDrainTimeoutMs: 200 }).finally(() => process.exit(0));
});
