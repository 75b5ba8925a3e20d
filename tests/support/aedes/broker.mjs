// aedes on loopback for mqtk's integration tests: an independent MQTT 3.1.1 broker (it refuses
// MQTT 5 with CONNACK 0x84), so the tests also run against something that is not mosquitto.
// Usage: node broker.mjs PORT. Logs one line per event on stdout, which AedesFixture polls:
//   listening 127.0.0.1:PORT | connected ID | subscribed ID FILTER QOS | disconnected ID
// Sessions and retained messages live in aedes' default in-memory persistence, so they survive
// a client's reconnect but not a broker restart.
import { Aedes } from 'aedes'
import { createServer } from 'node:net'

const port = Number(process.argv[2] || 0)
const aedes = await Aedes.createBroker()
const server = createServer(aedes.handle)
const log = (line) => process.stdout.write(line + '\n')

aedes.on('client', (client) => log(`connected ${client.id}`))
aedes.on('clientDisconnect', (client) => log(`disconnected ${client.id}`))
aedes.on('subscribe', (subscriptions, client) => {
  for (const s of subscriptions) log(`subscribed ${client.id} ${s.topic} ${s.qos}`)
})
aedes.on('clientError', (client, error) => log(`client error ${client.id}: ${error.message}`))
aedes.on('connectionError', (client, error) => log(`connection error: ${error.message}`))

server.on('error', (error) => {
  log(`listen error: ${error.message}`)
  process.exit(1)
})
server.listen(port, '127.0.0.1', () => log(`listening 127.0.0.1:${server.address().port}`))

const stop = () => {
  server.close()
  aedes.close(() => process.exit(0))
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
