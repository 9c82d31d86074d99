// The obs-websocket-js 5 client driving `golive serve` for
// TestOBSWebSocketJS. It prints one JSON object per line (every response
// and event verbatim, so that the test can check them) and waits for a
// "next" line on stdin where the test checks the receivers.
'use strict';
const { default: OBSWebSocket, EventSubscription } = require('obs-websocket-js/json');
const WebSocket = require('ws');
const readline = require('readline');

const url = process.env.OBS_URL;
const password = process.env.OBS_PASSWORD;
const profile = process.env.OBS_PROFILE;
const outA = process.env.OBS_OUTPUT_A;

const lines = readline.createInterface({ input: process.stdin });
const waiting = [];
lines.on('line', () => { const w = waiting.shift(); if (w) w(); });
const next = () => new Promise((resolve) => waiting.push(resolve));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const say = (step, data) => console.log(JSON.stringify({ step, data }));

async function closeCodeOfWrongPassword() {
  const bad = new OBSWebSocket();
  try {
    await bad.connect(url, 'not the password');
    return { connected: true };
  } catch (e) {
    return { code: e.code, message: e.message };
  }
}

// A raw client (the ws package) that sends a request before Identify.
function closeCodeOfRequestBeforeIdentify() {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, 'obswebsocket.json');
    ws.on('message', (m) => {
      const msg = JSON.parse(m.toString());
      if (msg.op === 0) {
        ws.send(JSON.stringify({ op: 6, d: { requestType: 'StartStream', requestId: 'early' } }));
      } else {
        resolve({ unexpected: msg });
      }
    });
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    ws.on('error', (e) => resolve({ error: String(e) }));
  });
}

async function main() {
  const obs = new OBSWebSocket();
  const events = [];
  for (const type of ['StreamStateChanged', 'RecordStateChanged', 'CurrentProfileChanged', 'ExitStarted']) {
    obs.on(type, (data) => { events.push({ type, data }); say('event', { type, data }); });
  }
  const hello = await obs.connect(url, password, { rpcVersion: 1, eventSubscriptions: EventSubscription.All });
  say('connected', hello);
  const call = async (type, data) => {
    const res = await obs.call(type, data);
    say(type, res);
    return res;
  };
  await call('GetVersion');
  await call('GetProfileList');
  await call('SetCurrentProfile', { profileName: profile });
  await call('GetProfileList');
  await call('GetOutputList');
  await call('StartStream');
  await sleep(2500);
  await call('GetStreamStatus');
  await sleep(1500);
  await call('GetStreamStatus');
  await call('GetStats');
  say('live');
  await next();
  await call('StopOutput', { outputName: outA });
  await call('GetOutputStatus', { outputName: outA });
  say('stopped-a');
  await next();
  await call('StartOutput', { outputName: outA });
  say('started-a');
  await next();
  await call('GetOutputStatus', { outputName: outA });
  await call('StopStream');
  await sleep(1000);
  await call('GetStreamStatus');
  try {
    await obs.call('NoSuchRequest');
    say('unknown', { code: 100 });
  } catch (e) {
    say('unknown', { code: e.code, message: e.message });
  }
  say('events', events);
  say('wrong-password', await closeCodeOfWrongPassword());
  say('before-identify', await closeCodeOfRequestBeforeIdentify());
  // obs-websocket-js's Node default: MessagePack over binary frames.
  const { default: OBSWebSocketMsgPack } = require('obs-websocket-js');
  const mp = new OBSWebSocketMsgPack();
  await mp.connect(url, password, { rpcVersion: 1 });
  say('msgpack', await mp.call('GetStreamStatus'));
  await mp.disconnect();
  await obs.disconnect();
  say('done');
  lines.close();
}

main().catch((e) => {
  say('error', { message: String(e && e.message), code: e && e.code, stack: String(e && e.stack) });
  process.exit(1);
});
