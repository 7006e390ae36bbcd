// Records every outbound connection and DNS lookup a Node process starts, one JSON line each, in
// the file CLUES_NET_WATCH_FILE. It observes through Node's diagnostics channels and patches
// nothing. Preloaded into child processes with NODE_OPTIONS="--require <this file>", or installed
// in the test process with watchNetwork(file).
//
// What it cannot see: connections made by native code (libvips, onnxruntime, tfjs-node, the
// Temporal core SDK in Rust). The network-namespace test is the proof that covers those.
const dc = require('node:diagnostics_channel');
const { appendFileSync } = require('node:fs');

function watchNetwork(file) {
  const record = (entry) => appendFileSync(file, `${JSON.stringify({ pid: process.pid, script: process.argv[1] ?? '', ...entry })}\n`);
  const onSocket = ({ socket }) => {
    socket.on('connectionAttempt', (ip, port, family) => record({ kind: 'connect', ip, port, family }));
    socket.on('lookup', (err, address, family, host) => record({ kind: 'lookup', host, address: address ?? null }));
  };
  const onHttp = ({ request }) => record({ kind: 'http', host: request.host, path: request.path });
  const onFetch = ({ request }) => record({ kind: 'fetch', origin: String(request.origin) });
  dc.subscribe('net.client.socket', onSocket);
  dc.subscribe('http.client.request.start', onHttp);
  dc.subscribe('undici:request:create', onFetch);
  record({ kind: 'watching' });
  return () => {
    dc.unsubscribe('net.client.socket', onSocket);
    dc.unsubscribe('http.client.request.start', onHttp);
    dc.unsubscribe('undici:request:create', onFetch);
  };
}

if (process.env.CLUES_NET_WATCH_FILE) watchNetwork(process.env.CLUES_NET_WATCH_FILE);

module.exports = { watchNetwork };
