// MQTT.js fan-in load: N clients connect (all at once, as MQTT.js applications do), then each
// publishes M messages of SIZE bytes to TOPIC/<i> at QoS Q, keeping at most WINDOW unacknowledged
// (QoS>0) or unwritten (QoS 0) per client. Prints "connect_s=<seconds to connect all>" on stderr.
const mqtt = require(process.env.MQTT_MODULE);
const [port, clients, messages, qos, size, topic, window] = process.argv.slice(2).map((v, i) => (i === 5 ? v : Number(v)));
const payload = Buffer.alloc(size, 'x');
const started = process.hrtime.bigint();
let connected = 0, finished = 0;
const all = [];
for (let i = 0; i < clients; i++) {
  const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, { clientId: `mqttjs-${process.pid}-${i}`, reconnectPeriod: 0 });
  all.push(client);
  client.on('error', (e) => { console.error(`client ${i}: ${e.message}`); process.exit(1); });
  client.once('connect', () => {
    if (++connected === clients) {
      console.error(`connect_s=${Number(process.hrtime.bigint() - started) / 1e9}`);
      all.forEach((c, n) => run(c, n));
    }
  });
}
function run(client, n) {
  let sent = 0, pending = 0;
  const t = `${topic}/${n}`;
  const pump = () => {
    while (sent < messages && pending < window) {
      sent++; pending++;
      client.publish(t, payload, { qos }, () => { pending--; if (sent < messages) setImmediate(pump); else if (pending === 0) done(client); });
    }
  };
  pump();
}
function done(client) {
  client.end(false, () => { if (++finished === clients) process.exit(0); });
}
