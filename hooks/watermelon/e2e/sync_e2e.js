'use strict'
// End-to-end test of Feidi's sync backend with the real mobile client: WatermelonDB with its
// LokiJS adapter (in memory under Node) syncs over HTTP against a running Feidi.
//
// Run by hooks/watermelon/e2e_test.go, which starts a server with the test fixtures and passes:
//   FEIDI_E2E_URL     the server's base URL
//   FEIDI_E2E_TOKENS  JSON {"engineer": token, ...}: auth tokens of the fixture users
//   FEIDI_E2E_IDS     JSON {"schedule": id, ...}: ids of the fixture records
// It prints what it checks and exits non-zero on the first failed check.

const assert = require('node:assert/strict')
const { Database, Model, Q, appSchema, tableSchema } = require('@nozbe/watermelondb')
const LokiJSAdapter = require('@nozbe/watermelondb/adapters/lokijs').default
const { synchronize, hasUnsyncedChanges } = require('@nozbe/watermelondb/sync')

function env(name) {
  const v = process.env[name]
  if (!v) {
    console.error(`${name} is not set: run this script through hooks/watermelon/e2e_test.go`)
    process.exit(2)
  }
  return v
}
const BASE = env('FEIDI_E2E_URL')
const TOKENS = JSON.parse(env('FEIDI_E2E_TOKENS'))
const IDS = JSON.parse(env('FEIDI_E2E_IDS'))

// WatermelonDB reports through console.*; every line it writes is kept with the scenario it
// happened in, so that warnings the server's answers cause can be told apart and reported.
let scenario = 'setup'
const clientLogs = []
for (const level of ['debug', 'log', 'warn', 'error']) {
  const original = console[level].bind(console)
  console[level] = (...args) => {
    const text = args.map(a => (a instanceof Error ? a.stack : typeof a === 'string' ? a : JSON.stringify(a))).join(' ')
    clientLogs.push({ scenario, level, text })
    if (level === 'warn' || level === 'error') original(`[watermelondb ${level} in ${scenario}]`, ...args)
  }
}
// Messages by which WatermelonDB says the server answered something it should not have.
const SERIOUS = [/Server wants client to (create|update) record/, /to mark it as synced, but I can't find it/,
  /Invalid raw record/, /Concurrent synchronization/]

function step(msg) { process.stdout.write(`  - ${msg}\n`) }

// trace prints one request of the protocol with the ids it carried, so that a client warning
// can be matched to the server answer that caused it.
function trace(what, changes) {
  const parts = []
  for (const [table, c] of Object.entries(changes || {})) {
    for (const bucket of ['created', 'updated', 'deleted']) {
      const ids = (c[bucket] || []).map(r => (typeof r === 'string' ? r : r.id))
      if (ids.length) parts.push(`${table}.${bucket} [${ids.join(' ')}]`)
    }
  }
  process.stdout.write(`      ${what}${parts.length ? ': ' + parts.join(', ') : ''}\n`)
}

async function api(method, path, token, body) {
  const res = await fetch(BASE + path, {
    method,
    headers: { Authorization: token, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  let json = null
  try { json = text ? JSON.parse(text) : null } catch (e) { /* reported below with the text */ }
  return { status: res.status, json, text }
}

async function buildSchema(token) {
  const res = await api('GET', '/api/sync/schema', token)
  assert.equal(res.status, 200, `GET /api/sync/schema: ${res.status} ${res.text}`)
  const s = res.json
  const schema = appSchema({
    version: s.version,
    tables: s.tables.map(t => tableSchema({ name: t.name, columns: t.columns })),
  })
  const modelClasses = s.tables.map(t => {
    const M = class extends Model {}
    M.table = t.name
    return M
  })
  return { wire: s, schema, modelClasses }
}

// Device is one phone: its own Loki database, signed in with a token.
class Device {
  constructor(name, token, { schema, modelClasses }) {
    this.name = name
    this.token = token
    // Node has no IndexedDB, so Loki keeps the database in memory whatever the persistence
    // option; useIncrementalIndexedDB: true only spares the deprecation warning of false.
    const adapter = new LokiJSAdapter({ schema, dbName: name, useWebWorker: false, useIncrementalIndexedDB: true })
    this.db = new Database({ adapter, modelClasses })
    this.pushes = [] // every push answer: {status, json}
  }

  // sync runs WatermelonDB's synchronize(); beforePush, if given, runs between the pull and
  // the push (to let another device sync in that window). It throws what synchronize throws.
  async sync({ beforePush } = {}) {
    const log = {}
    await synchronize({
      database: this.db,
      log,
      pullChanges: async ({ lastPulledAt, schemaVersion, migration }) => {
        let q = `schema_version=${schemaVersion}`
        if (lastPulledAt) q += `&last_pulled_at=${lastPulledAt}`
        if (migration) q += `&migration=${encodeURIComponent(JSON.stringify(migration))}`
        const res = await api('GET', `/api/sync/pull?${q}`, this.token)
        if (res.status !== 200) throw new Error(`${this.name}: pull answered ${res.status}: ${res.text}`)
        trace(`${this.name} GET /api/sync/pull?${q} → timestamp ${res.json.timestamp}`, res.json.changes)
        return res.json
      },
      pushChanges: async ({ changes, lastPulledAt }) => {
        if (beforePush) await beforePush()
        const res = await api('POST', `/api/sync/push?last_pulled_at=${lastPulledAt}`, this.token, { changes, lastPulledAt })
        this.pushes.push({ status: res.status, json: res.json })
        trace(`${this.name} POST /api/sync/push?last_pulled_at=${lastPulledAt} → ${res.status} ${res.text.trim()}`, changes)
        if (res.status < 200 || res.status > 299) {
          const err = new Error(`${this.name}: push answered ${res.status}: ${res.text}`)
          err.status = res.status
          err.body = res.json
          throw err
        }
        return res.json || {}
      },
    })
    return log
  }

  // raw returns the device's raw record, null if it has none (or only a deleted one).
  async raw(table, id) {
    const found = await this.db.get(table).query(Q.where('id', id)).fetch()
    return found.length ? { ...found[0]._raw } : null
  }

  async deletedIds(table) { return this.db.adapter.getDeletedRecords(table) }

  async create(table, values) {
    let id
    await this.db.write(async () => {
      const r = await this.db.get(table).create(rec => {
        for (const [k, v] of Object.entries(values)) rec._setRaw(k, v)
      })
      id = r.id
    })
    return id
  }

  async update(table, id, values) {
    await this.db.write(async () => {
      const r = await this.db.get(table).find(id)
      await r.update(rec => {
        for (const [k, v] of Object.entries(values)) rec._setRaw(k, v)
      })
    })
  }

  async remove(table, id) {
    await this.db.write(async () => {
      const r = await this.db.get(table).find(id)
      await r.markAsDeleted()
    })
  }

  async unsynced() { return hasUnsyncedChanges({ database: this.db }) }
}

// serverRaw reads a record through the REST API and converts it to the sync wire form of
// the columns asked for (dates to milliseconds); null when the server has no such record.
async function serverRaw(wire, table, id, token, columns) {
  const res = await api('GET', `/api/collections/${table}/records/${id}`, token)
  if (res.status === 404) return null
  assert.equal(res.status, 200, `GET ${table}/${id}: ${res.status} ${res.text}`)
  const types = Object.fromEntries(wire.tables.find(t => t.name === table).columns.map(c => [c.name, c.type]))
  const out = { id }
  for (const c of columns) {
    let v = res.json[c]
    if (types[c] === 'number' && typeof v === 'string') v = v === '' ? null : Date.parse(v.replace(' ', 'T'))
    out[c] = v
  }
  return out
}

function pick(raw, columns) {
  if (!raw) return null
  return Object.fromEntries(['id', ...columns].map(c => [c, raw[c]]))
}

// assertConverged checks that every device holds the record synced, with the server's values.
async function assertConverged(ctx, devices, table, id, columns, want) {
  const server = await serverRaw(ctx.wire, table, id, TOKENS.engineer, columns)
  assert.ok(server, `server has no ${table}#${id}`)
  if (want) assert.deepEqual(pick(server, Object.keys(want)), { id, ...want }, `server's ${table}#${id}`)
  for (const d of devices) {
    const raw = await d.raw(table, id)
    assert.ok(raw, `${d.name} has no ${table}#${id}`)
    assert.equal(raw._status, 'synced', `${d.name}: ${table}#${id} is ${raw._status}, want synced`)
    assert.deepEqual(pick(raw, columns), server, `${d.name}'s ${table}#${id} differs from the server's`)
  }
}

const at = iso => Date.parse(iso)

async function scenarioConverge(ctx, A, B) {
  step('both devices pull everything the engineer may see')
  await A.sync()
  await B.sync()
  for (const d of [A, B]) {
    assert.ok(await d.raw('schedules', IDS.schedule), `${d.name} did not get the fixture schedule`)
    assert.ok(await d.raw('commute_logs', IDS.commute), `${d.name} did not get the fixture commute log`)
  }
  step('offline: A changes the schedule employer and logs a new trip; B notes the train on the old trip')
  await A.update('schedules', IDS.schedule, { employer: '重庆大足五金制品有限公司' })
  const trip = await A.create('commute_logs', {
    engineer: IDS.engineerRecord, from_city: 'dazu', to_city: 'chengdu', mode: 'hsr',
    depart_at: at('2026-03-05T10:00:00Z'), arrive_at: at('2026-03-05T11:10:00Z'), distance_km: 230, cost_yuan: 96.5,
  })
  assert.match(trip, /^[0-9a-zA-Z]{16}$/, 'WatermelonDB makes 16-character ids')
  await B.update('commute_logs', IDS.commute, { note: 'G8594次' })

  step('A syncs, B syncs, A syncs again')
  await A.sync()
  await B.sync()
  await A.sync()
  for (const d of [A, B]) assert.equal(await d.unsynced(), false, `${d.name} still has unsynced changes`)
  await assertConverged(ctx, [A, B], 'schedules', IDS.schedule, ['employer', 'city', 'kind', 'starts_at', 'ends_at'],
    { employer: '重庆大足五金制品有限公司' })
  await assertConverged(ctx, [A, B], 'commute_logs', IDS.commute, ['note', 'from_city', 'to_city', 'depart_at'], { note: 'G8594次' })
  await assertConverged(ctx, [A, B], 'commute_logs', trip,
    ['engineer', 'from_city', 'to_city', 'mode', 'depart_at', 'arrive_at', 'distance_km', 'cost_yuan'],
    { engineer: IDS.engineerRecord, depart_at: at('2026-03-05T10:00:00Z'), arrive_at: at('2026-03-05T11:10:00Z') })
  ctx.trip = trip
}

async function scenarioConflict(ctx, A, B) {
  step('offline: A sets the schedule employer and kind; B sets the employer too')
  await A.update('schedules', IDS.schedule, { employer: '四川大学', kind: 'training' })
  await B.update('schedules', IDS.schedule, { employer: '电子科技大学' })

  step('B pulls; A syncs before B pushes; B\'s push must get 409')
  const pushesBefore = B.pushes.length
  await assert.rejects(B.sync({ beforePush: () => A.sync() }), err => err.status === 409, 'B\'s push should fail with 409')
  const answer = B.pushes[pushesBefore]
  assert.deepEqual(answer.json.conflicts, { schedules: [IDS.schedule] }, `409 body: ${JSON.stringify(answer.json)}`)
  const local = await B.raw('schedules', IDS.schedule)
  assert.equal(local._status, 'updated', 'after the failed push B keeps its change unsynced')
  assert.equal(local.employer, '电子科技大学')

  step('B syncs again: the pull merges A\'s kind, B keeps its employer, the push succeeds')
  await B.sync()
  await A.sync()
  for (const d of [A, B]) assert.equal(await d.unsynced(), false, `${d.name} still has unsynced changes`)
  await assertConverged(ctx, [A, B], 'schedules', IDS.schedule, ['employer', 'kind', 'city'],
    { employer: '电子科技大学', kind: 'training' })
}

async function scenarioDelete(ctx, A, B) {
  step('A deletes the trip it logged, and syncs')
  assert.ok(await B.raw('commute_logs', ctx.trip), 'B has the trip before the deletion')
  await A.remove('commute_logs', ctx.trip)
  await A.sync()
  assert.deepEqual(await A.deletedIds('commute_logs'), [], 'A forgets the deletion once pushed')
  assert.equal(await serverRaw(ctx.wire, 'commute_logs', ctx.trip, TOKENS.engineer, []), null, 'the server deleted the trip')

  step('B syncs and no longer has it')
  await B.sync()
  assert.equal(await B.raw('commute_logs', ctx.trip), null, 'B still has the deleted trip')
  assert.deepEqual(await B.deletedIds('commute_logs'), [])
  await A.sync()
  for (const d of [A, B]) assert.equal(await d.unsynced(), false, `${d.name} still has unsynced changes`)
}

// The walk DOMAIN.md asks for: create → sync → delete → sync on one device while the other
// edits the same record, in both orders. The deletion wins either way; WatermelonDB drops the
// other device's unsynced edit of a record the server says is deleted.
async function scenarioDeleteWhileEdited(ctx, A, B) {
  const orders = {
    'A syncs first': async () => { await A.sync(); await B.sync() },
    // B's edit reaching the server first is pulled by A before A pushes, so no 409: A's
    // local deletion survives the pull and is pushed.
    'B syncs first': async () => { await B.sync(); await A.sync(); await B.sync() },
    'B pushes between A\'s pull and push (409)': async () => {
      await assert.rejects(A.sync({ beforePush: () => B.sync() }), err => err.status === 409,
        'deleting a record edited since the pull must get 409')
      await A.sync()
      await B.sync()
    },
  }
  let day = '08' // a day of its own for each order's trip
  for (const [order, run] of Object.entries(orders)) {
    step(`A logs a trip and syncs; B syncs; B edits it while A deletes it; ${order}`)
    const trip = await A.create('commute_logs', {
      engineer: IDS.engineerRecord, from_city: 'dazu', to_city: 'chengdu', mode: 'bus',
      depart_at: at(`2026-03-${day}T01:00:00Z`), arrive_at: at(`2026-03-${day}T04:00:00Z`),
    })
    day = String(Number(day) + 1).padStart(2, '0')
    await A.sync()
    await B.sync()
    assert.ok(await B.raw('commute_logs', trip), 'B got the trip')
    await B.update('commute_logs', trip, { note: '改乘大巴' })
    await A.remove('commute_logs', trip)
    await run()
    for (const d of [A, B]) {
      assert.equal(await d.raw('commute_logs', trip), null, `${d.name} still has the deleted trip`)
      assert.deepEqual(await d.deletedIds('commute_logs'), [])
      assert.equal(await d.unsynced(), false, `${d.name} still has unsynced changes`)
    }
    assert.equal(await serverRaw(ctx.wire, 'commute_logs', trip, TOKENS.engineer, []), null, 'the server still has the trip')
  }
}

async function scenarioReject(ctx, A, B) {
  step('offline: A logs a trip overlapping the fixture trip, a valid trip, and a note on the fixture trip')
  const overlapping = await A.create('commute_logs', {
    engineer: IDS.engineerRecord, from_city: 'chengdu', to_city: 'dazu', mode: 'car',
    depart_at: at('2026-03-02T10:30:00Z'), arrive_at: at('2026-03-02T12:30:00Z'),
  })
  const valid = await A.create('commute_logs', {
    engineer: IDS.engineerRecord, from_city: 'chengdu', to_city: 'dazu', mode: 'hsr',
    depart_at: at('2026-03-06T10:00:00Z'), arrive_at: at('2026-03-06T11:20:00Z'),
  })
  await A.update('commute_logs', IDS.commute, { note: 'G8594次 二等座' })

  step('A syncs: the server refuses the overlapping trip and applies the rest')
  const log = await A.sync()
  assert.deepEqual(log.rejectedIds, { commute_logs: [overlapping] }, `rejected ids: ${JSON.stringify(log.rejectedIds)}`)
  const kept = await A.raw('commute_logs', overlapping)
  assert.ok(kept, 'the refused trip must stay on the device')
  assert.equal(kept._status, 'created', 'the refused trip stays unsynced')
  assert.equal(await A.unsynced(), true)
  assert.equal(await serverRaw(ctx.wire, 'commute_logs', overlapping, TOKENS.engineer, []), null, 'the server must not have the refused trip')

  const rejects = await api('GET', `/api/collections/sync_rejects/records?filter=${encodeURIComponent(`record_id='${overlapping}'`)}`, TOKENS.engineer)
  assert.equal(rejects.status, 200, rejects.text)
  assert.equal(rejects.json.items.length, 1, `sync_rejects for ${overlapping}: ${rejects.text}`)
  const reject = rejects.json.items[0]
  assert.equal(reject.table, 'commute_logs')
  assert.equal(reject.operation, 'create')
  assert.equal(reject.user, IDS.engineerUser)
  assert.ok(reject.message, 'the reject says why')
  assert.equal(reject.raw.depart_at, at('2026-03-02T10:30:00Z'), 'the reject keeps what the device pushed')
  step(`sync_rejects says: ${reject.message}`)

  step('B syncs and gets the valid trip and the note, not the refused trip')
  await B.sync()
  await assertConverged(ctx, [A, B], 'commute_logs', valid, ['from_city', 'to_city', 'depart_at', 'arrive_at'])
  await assertConverged(ctx, [A, B], 'commute_logs', IDS.commute, ['note'], { note: 'G8594次 二等座' })
  assert.equal(await B.raw('commute_logs', overlapping), null, 'B must not get the refused trip')

  step('A syncs again: refused again, still one sync_rejects entry')
  const again = await A.sync()
  assert.deepEqual(again.rejectedIds, { commute_logs: [overlapping] })
  const still = await api('GET', `/api/collections/sync_rejects/records?filter=${encodeURIComponent(`record_id='${overlapping}'`)}`, TOKENS.engineer)
  assert.equal(still.json.items.length, 1, still.text)

  step('the engineer fixes the trip on A (it departed a day later): it syncs')
  await A.update('commute_logs', overlapping, { depart_at: at('2026-03-07T10:30:00Z'), arrive_at: at('2026-03-07T12:30:00Z') })
  const fixed = await A.sync()
  assert.equal(fixed.rejectedIds, undefined, `rejected ids: ${JSON.stringify(fixed.rejectedIds)}`)
  await B.sync()
  await assertConverged(ctx, [A, B], 'commute_logs', overlapping, ['depart_at', 'arrive_at'], { depart_at: at('2026-03-07T10:30:00Z') })
}

// history reads a record's versions through the REST API as the engineer.
async function history(table, id) {
  const res = await api('GET', `/api/history/${table}/${id}`, TOKENS.engineer)
  assert.equal(res.status, 200, `GET /api/history/${table}/${id}: ${res.status} ${res.text}`)
  return res.json.items
}

async function scenarioConflictInHistory(ctx, A, B) {
  step('offline: A and B both change the note of the fixture trip')
  await A.update('commute_logs', IDS.commute, { note: 'A: 改签G8596次' })
  await B.update('commute_logs', IDS.commute, { note: 'B: 仍是G8594次' })

  step('B pulls; A syncs before B pushes (409); B syncs again and its note wins')
  await assert.rejects(B.sync({ beforePush: () => A.sync() }), err => err.status === 409, 'B\'s push should fail with 409')
  await B.sync()
  await A.sync()
  await assertConverged(ctx, [A, B], 'commute_logs', IDS.commute, ['note'], { note: 'B: 仍是G8594次' })

  step('A\'s overwritten note is in the trip\'s history, pushed by sync, and so is B\'s over it')
  const versions = await history('commute_logs', IDS.commute)
  const lost = versions.find(v => v.after && v.after.note === 'A: 改签G8596次')
  assert.ok(lost, `A's note is not in history: ${JSON.stringify(versions)}`)
  assert.equal(lost.door, 'sync')
  assert.equal(lost.actor, IDS.engineerUser)
  const over = versions.find(v => v.version > lost.version && v.before && v.before.note === 'A: 改签G8596次')
  assert.ok(over && over.after.note === 'B: 仍是G8594次' && over.door === 'sync', `B's overwrite: ${JSON.stringify(over)}`)
  step(`history of the trip: ${versions.map(v => `v${v.version} ${v.operation} by ${v.door}`).join(', ')}`)
}

async function scenarioLockedMonth(ctx, A, B) {
  step('A submits April 2026 for sign-off and syncs; the coordinator approves it; A syncs and has the approval')
  const signoff = await A.create('month_signoffs', { engineer: IDS.engineerRecord, month: '2026-04', status: 'submitted' })
  await A.sync()
  const approved = await api('PATCH', `/api/collections/month_signoffs/records/${signoff}`, TOKENS.coordinator, { status: 'approved' })
  assert.equal(approved.status, 200, `approve: ${approved.text}`)
  await A.sync()
  assert.equal((await A.raw('month_signoffs', signoff)).status, 'approved', 'A has the approval')

  step('offline: A logs a trip in April; A syncs: the server refuses it, naming the lock')
  const trip = await A.create('commute_logs', {
    engineer: IDS.engineerRecord, from_city: 'chengdu', to_city: 'dazu', mode: 'hsr',
    depart_at: at('2026-04-07T01:00:00Z'), arrive_at: at('2026-04-07T02:15:00Z'),
  })
  const log = await A.sync()
  assert.deepEqual(log.rejectedIds, { commute_logs: [trip] }, `rejected ids: ${JSON.stringify(log.rejectedIds)}`)
  const kept = await A.raw('commute_logs', trip)
  assert.ok(kept && kept._status === 'created', 'the refused trip stays unsynced on the device')
  assert.equal(await serverRaw(ctx.wire, 'commute_logs', trip, TOKENS.engineer, []), null, 'the server must not have the trip')
  const rejects = await api('GET', `/api/collections/sync_rejects/records?filter=${encodeURIComponent(`record_id='${trip}'`)}`, TOKENS.engineer)
  assert.equal(rejects.json.items.length, 1, rejects.text)
  assert.match(rejects.json.items[0].message, /2026-04 is signed off and locked/, 'the reject names the lock')
  step(`sync_rejects says: ${rejects.json.items[0].message}`)

  step('an admin unlocks April with a reason; A syncs and the trip goes through; B gets it')
  const unlocked = await api('PATCH', `/api/collections/month_signoffs/records/${signoff}`, TOKENS.admin, { status: 'open', reason: '补录4月7日出差' })
  assert.equal(unlocked.status, 200, `unlock: ${unlocked.text}`)
  const again = await A.sync()
  assert.equal(again.rejectedIds, undefined, `rejected ids: ${JSON.stringify(again.rejectedIds)}`)
  await B.sync()
  await assertConverged(ctx, [A, B], 'commute_logs', trip, ['depart_at', 'arrive_at'], { depart_at: at('2026-04-07T01:00:00Z') })
  assert.equal((await B.raw('month_signoffs', signoff)).status, 'open', 'B has the unlock')
}

async function main() {
  const ctx = await buildSchema(TOKENS.engineer)
  const A = new Device('deviceA', TOKENS.engineer, ctx)
  const B = new Device('deviceB', TOKENS.engineer, ctx)
  const scenarios = [
    ['a. two devices edit offline and converge', scenarioConverge],
    ['b. a conflict resolves', scenarioConflict],
    ['c. a deletion reaches the other device', scenarioDelete],
    ['c2. a deletion wins over an edit on the other device, in any order', scenarioDeleteWhileEdited],
    ['d. a refused record stays on its device and appears in sync_rejects', scenarioReject],
    ['e. the value that lost a conflict is in the record\'s history', scenarioConflictInHistory],
    ['f. a push into a signed-off month is refused, naming the lock, and kept on the device', scenarioLockedMonth],
  ]
  let failed = false
  for (const [name, run] of scenarios) {
    scenario = name.split(' ')[0]
    process.stdout.write(`${name}\n`)
    try {
      await run(ctx, A, B)
      process.stdout.write(`ok ${name}\n`)
    } catch (err) {
      process.stdout.write(`FAIL ${name}\n${err.stack}\n`)
      failed = true
      break // the scenarios build on each other
    }
  }
  const serious = clientLogs.filter(l => SERIOUS.some(re => re.test(l.text)))
  const loud = clientLogs.filter(l => l.level === 'warn' || l.level === 'error')
  process.stdout.write(`WatermelonDB wrote ${clientLogs.length - loud.length} info line(s) (Loki setting up), ` +
    `${loud.length} warning(s) or error(s), ${serious.length} saying the server answered what it should not\n`)
  for (const l of loud) process.stdout.write(`  [${l.scenario} ${l.level}] ${l.text.split('\n')[0]}\n`)
  if (serious.length) {
    process.stdout.write('FAIL WatermelonDB reported server answers it should not get (see above)\n')
    failed = true
  }
  process.exit(failed ? 1 : 0)
}

main().catch(err => {
  process.stdout.write(`FAIL ${err.stack}\n`)
  process.exit(1)
})
